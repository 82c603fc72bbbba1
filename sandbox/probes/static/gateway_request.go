package main

// gateway_request: talks to the API gateway from inside an app, as the app: its UID, its network, its
// platform files and env (PLATFORM_GATEWAY_URL, PLATFORM_CA_FILE, PLATFORM_CERT_FILE/KEY_FILE,
// PLATFORM_OAUTH_*). The arguments, the steps and the result of each are py/gateway_request.py's (read
// its header); the verdicts are the caller's. Attack material (other apps' keys, forged certificates)
// arrives in the arguments and is parsed in memory: nothing is written into the container.
//
// Python's ssl module (OpenSSL) names a TLS alert received from the peer SSLV3_ALERT_*/TLSV1_*/TLSV13_*,
// and the TS side matches those names, so an alert Go reports is given OpenSSL's name for it here.

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type result = map[string]any

var keptHeaders = map[string]bool{"content-type": true, "www-authenticate": true, "x-envoy-upstream-service-time": true, "x-platform-rate-limited": true, "location": true, "server": true, "connection": true}

// maxBody bounds one response body read into memory; a longer one ends the connection after it.
const maxBody = 16 << 20

type gateway struct {
	host       string
	port       int
	timeout    time.Duration
	deadline   time.Time
	tokenPath  string
	caFile     string
	identities map[string]any
	clients    map[string]any
	configs    map[string]*tls.Config
	tokens     map[string]string
}

func gatewayRequest(a args) {
	address := a.textOr("gateway", os.Getenv("PLATFORM_GATEWAY_URL"))
	if address == "" {
		panic(usageError(`no gateway: neither the argument "gateway" nor PLATFORM_GATEWAY_URL is set`))
	}
	location, err := url.Parse(address)
	if err != nil || location.Hostname() == "" {
		panic(usageError(fmt.Sprintf("gateway %q is not a URL with a host", address)))
	}
	steps, ok := a["steps"].([]any)
	if !ok {
		panic(usageError(`argument "steps": a list of steps is required`))
	}
	g := &gateway{
		host:     location.Hostname(),
		port:     portOf(location),
		timeout:  seconds(a.numberOr("timeout", 10)),
		deadline: time.Now().Add(seconds(a.numberOr("deadline_seconds", 60))),
		caFile:   envOr("PLATFORM_CA_FILE", "/etc/platform/tls/ca.pem"),
		configs:  map[string]*tls.Config{},
		tokens:   map[string]string{},
	}
	g.identities, _ = a["identities"].(map[string]any)
	g.clients, _ = a["clients"].(map[string]any)
	if tokenURL, err := url.Parse(os.Getenv("PLATFORM_OAUTH_TOKEN_URL")); err == nil {
		g.tokenPath = tokenURL.Path
	}
	results := []any{}
	for _, entry := range steps {
		step, ok := entry.(map[string]any)
		if !ok {
			panic(usageError(fmt.Sprintf("steps: %s is not an object", jsonText(entry))))
		}
		if time.Now().After(g.deadline) {
			results = append(results, result{"id": step["id"], "error": "not run: the script's deadline passed"})
			continue
		}
		results = append(results, g.runStep(step))
	}
	uid := os.Getuid()
	report("inconclusive", fmt.Sprintf("%d gateway exchanges from uid %d", len(results), uid), map[string]any{"steps": results, "uid": uid, "gateway": fmt.Sprintf("%s:%d", g.host, g.port)})
}

func portOf(location *url.URL) int {
	if port, err := strconv.Atoi(location.Port()); err == nil {
		return port
	}
	if location.Scheme == "http" {
		return 80
	}
	return 443
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// The steps' fields, with the script's defaults.
func stepText(step map[string]any, key, fallback string) string {
	if value, ok := step[key].(string); ok {
		return value
	}
	return fallback
}

func stepNumber(step map[string]any, key string, fallback float64) float64 {
	if value, ok := step[key].(float64); ok {
		return value
	}
	return fallback
}

func stepFlag(step map[string]any, key string) bool {
	value, _ := step[key].(bool)
	return value
}

// config is the TLS client configuration for an identity: the platform CA to check the gateway, and the
// client certificate "own" (the app's files), "none", or one named in the arguments.
func (g *gateway) config(identity string) (*tls.Config, error) {
	if config, ok := g.configs[identity]; ok {
		return config, nil
	}
	authority, err := os.ReadFile(g.caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(authority) {
		return nil, sslError{"NO_CERTIFICATE_OR_CRL_FOUND", "no certificate in " + g.caFile}
	}
	var certificate *tls.Certificate
	switch identity {
	case "own":
		certFile, keyFile := os.Getenv("PLATFORM_CERT_FILE"), os.Getenv("PLATFORM_KEY_FILE")
		if certFile == "" || keyFile == "" {
			return nil, errors.New("PLATFORM_CERT_FILE and PLATFORM_KEY_FILE must name the app's certificate and key")
		}
		loaded, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		certificate = &loaded
	case "none":
	default:
		material, _ := g.identities[identity].(map[string]any)
		certPEM, _ := material["cert"].(string)
		keyPEM, _ := material["key"].(string)
		if certPEM == "" || keyPEM == "" {
			return nil, fmt.Errorf("no identity %q (cert and key) in the arguments", identity)
		}
		loaded, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
		if err != nil {
			return nil, err
		}
		certificate = &loaded
	}
	config := &tls.Config{
		RootCAs:    roots,
		ServerName: g.host, // the gateway must prove itself too (its certificate names this address)
		MinVersion: tls.VersionTLS12,
		// Present the certificate whatever CAs the server says it accepts, as OpenSSL does (Go's default
		// would silently send none for a CA the server did not list, hiding the refusal under test).
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if certificate == nil {
				return &tls.Certificate{}, nil
			}
			return certificate, nil
		},
	}
	g.configs[identity] = config
	return config, nil
}

// session is one TLS connection to the gateway and the reader its responses come through.
type session struct {
	conn    *tls.Conn
	timing  *deadlineConn
	replies *bufio.Reader
}

func (s *session) close() { s.conn.Close() }

// deadlineConn gives every read and write its own timeout, as a Python socket's settimeout does.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(data []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(data)
}

func (c *deadlineConn) Write(data []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(data)
}

// connect opens a TLS connection, or returns nil with the refusal recorded.
func (g *gateway) connect(step map[string]any) (*session, result) {
	raw, err := net.DialTimeout("tcp", net.JoinHostPort(g.host, strconv.Itoa(g.port)), g.timeout)
	if err != nil {
		kind, text := pythonError(err)
		return nil, result{"tls": "no-connection", "tls_error": map[string]any{"error": kind, "reason": text, "alert": false}}
	}
	config, err := g.config(stepText(step, "identity", "own"))
	if err != nil {
		raw.Close()
		return nil, result{"tls": "refused", "tls_stage": "handshake", "tls_error": tlsError(err)}
	}
	timing := &deadlineConn{Conn: raw, timeout: g.timeout}
	conn := tls.Client(timing, config)
	if err := conn.Handshake(); err != nil {
		raw.Close()
		if isTimeout(err) {
			return nil, result{"tls": "refused", "tls_stage": "handshake", "tls_error": map[string]any{"error": "TimeoutError", "reason": "The handshake operation timed out", "alert": false}}
		}
		return nil, result{"tls": "refused", "tls_stage": "handshake", "tls_error": tlsError(err)}
	}
	out := result{"tls_version": tlsVersionName(conn.ConnectionState().Version)}
	if stepFlag(step, "await_tls_verdict") {
		// after the handshake, wait briefly for the server's verdict on the certificate (TLS 1.3 sends it
		// after the client's Finished)
		timing.timeout = 1500 * time.Millisecond
		early := make([]byte, 1)
		n, err := conn.Read(early)
		switch {
		case n > 0:
			out["early_bytes"] = latin1(early[:n])
		case err == nil || isTimeout(err):
			// no verdict is the server's acceptance: it waits for a request
		case isEOF(err):
			raw.Close()
			return nil, merge(out, result{"tls": "refused", "tls_stage": "after handshake", "tls_error": map[string]any{"error": "EOF", "reason": "closed before any request", "alert": false}})
		default:
			raw.Close()
			return nil, merge(out, result{"tls": "refused", "tls_stage": "after handshake", "tls_error": tlsError(err)})
		}
		timing.timeout = g.timeout
	}
	out["tls"] = "ok"
	return &session{conn: conn, timing: timing, replies: bufio.NewReader(conn)}, out
}

func merge(into result, from result) result {
	for key, value := range from {
		into[key] = value
	}
	return into
}

func tlsVersionName(version uint16) string {
	switch version {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return tls.VersionName(version)
}

// exchange sends one request on the connection and reads the whole response (so the connection can
// carry the next one); closing says the connection cannot.
func (g *gateway) exchange(s *session, method, path string, headers map[string]string, body *string) (result, bool, error) {
	request, err := g.requestText(method, path, headers, body)
	if err != nil {
		return nil, true, err
	}
	sent := time.Now()
	if _, err := s.conn.Write([]byte(request)); err != nil {
		return nil, true, err
	}
	response, err := http.ReadResponse(s.replies, &http.Request{Method: method})
	if err != nil {
		return nil, true, err
	}
	data, err := io.ReadAll(io.LimitReader(response.Body, maxBody))
	response.Body.Close()
	if err != nil {
		return nil, true, err
	}
	kept := map[string]any{}
	for name, values := range response.Header {
		if lower := strings.ToLower(name); keptHeaders[lower] && len(values) > 0 {
			kept[lower] = values[len(values)-1]
		}
	}
	outcome := result{
		"status":      response.StatusCode,
		"headers":     kept,
		"body":        decodeReplacing(data[:min(len(data), 4000)]),
		"local_reply": len(response.Header.Values("X-Envoy-Upstream-Service-Time")) == 0,
		"sent_ms":     sent.UnixMilli(),
		"elapsed_ms":  time.Since(sent).Milliseconds(),
	}
	return outcome, response.Close || len(data) >= maxBody, nil
}

// requestText is the request as Python's http.client writes it: Host (with the port unless 443) and
// Accept-Encoding: identity unless given, Content-Length for a body (0 for a bodiless POST/PUT/PATCH),
// then the step's headers.
func (g *gateway) requestText(method, path string, headers map[string]string, body *string) (string, error) {
	if strings.ContainsAny(method+path, "\r\n ") {
		return "", fmt.Errorf("invalid request line %q %q", method, path)
	}
	given := map[string]bool{}
	names := make([]string, 0, len(headers))
	for name, value := range headers {
		if strings.ContainsAny(name+value, "\r\n") {
			return "", fmt.Errorf("invalid header %q", name)
		}
		given[strings.ToLower(name)] = true
		names = append(names, name)
	}
	sort.Strings(names)
	var text strings.Builder
	fmt.Fprintf(&text, "%s %s HTTP/1.1\r\n", method, path)
	if !given["host"] {
		host := g.host
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if g.port != 443 {
			host += ":" + strconv.Itoa(g.port)
		}
		fmt.Fprintf(&text, "Host: %s\r\n", host)
	}
	if !given["accept-encoding"] {
		text.WriteString("Accept-Encoding: identity\r\n")
	}
	if !given["content-length"] && !given["transfer-encoding"] {
		if body != nil {
			fmt.Fprintf(&text, "Content-Length: %d\r\n", len(*body))
		} else if method == "POST" || method == "PUT" || method == "PATCH" {
			text.WriteString("Content-Length: 0\r\n")
		}
	}
	for _, name := range names {
		fmt.Fprintf(&text, "%s: %s\r\n", name, headers[name])
	}
	text.WriteString("\r\n")
	if body != nil {
		text.WriteString(*body)
	}
	return text.String(), nil
}

// decodeReplacing is bytes.decode("utf-8", "replace"): each byte that is not valid UTF-8 becomes U+FFFD.
func decodeReplacing(data []byte) string {
	var text strings.Builder
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		text.WriteRune(r) // utf8.RuneError is U+FFFD itself
		data = data[size:]
	}
	return text.String()
}

func (g *gateway) runStep(step map[string]any) result {
	out := result{"id": step["id"]}
	method, path, headers, body, err := g.requestOf(step)
	if err != nil {
		out["error"] = "cannot build the request: " + err.Error()
		return out
	}
	repeat := int(stepNumber(step, "repeat", 1))
	interval := seconds(stepNumber(step, "interval_ms", 0) / 1000)
	stopAt := time.Now().Add(seconds(stepNumber(step, "max_seconds", g.timeout.Seconds()*3)))
	if g.deadline.Before(stopAt) {
		stopAt = g.deadline
	}
	var current *session
	var outcomes []result
	started, lastSent := time.Now(), time.Time{}
	for i := 0; i < repeat; i++ {
		if time.Now().After(stopAt) {
			out["stopped_early"] = fmt.Sprintf("time bound reached after %d of %d requests", i, repeat)
			break
		}
		// paced from the previous request's send, not from the step's start: the first handshake
		// would otherwise eat into the first gap
		if interval > 0 && i > 0 {
			time.Sleep(time.Until(lastSent.Add(interval)))
		}
		if current == nil {
			var handshake result
			current, handshake = g.connect(step)
			merge(out, handshake)
			if current == nil {
				break
			}
		}
		lastSent = time.Now()
		outcome, closing, err := g.exchange(current, method, path, headers, body)
		if err != nil {
			outcome, closing = result{"error": exchangeError(err), "sent_ms": time.Now().UnixMilli()}, true
		}
		outcomes = append(outcomes, outcome)
		if closing {
			current.close()
			current = nil
		}
	}
	if current != nil {
		current.close()
	}
	out["started_ms"], out["ended_ms"] = started.UnixMilli(), time.Now().UnixMilli()
	if repeat == 1 {
		if len(outcomes) > 0 {
			merge(out, outcomes[0])
		}
	} else {
		summarise(out, outcomes)
	}
	if stepText(step, "token_request", "") != "" && out["status"] == 200 {
		g.keepToken(step, out)
	}
	return out
}

// summarise records a series: counts per status, the sequence and send times (first 400), and one
// response of each status as evidence.
func summarise(out result, outcomes []result) {
	statuses, samples := map[string]any{}, map[string]any{}
	sequence, sent := []any{}, []any{}
	for _, outcome := range outcomes {
		key := "error"
		if status, ok := outcome["status"]; ok {
			key = fmt.Sprint(status)
		}
		count, _ := statuses[key].(int)
		statuses[key] = count + 1
		if _, seen := samples[key]; !seen {
			samples[key] = outcome
		}
		if len(sequence) < 400 {
			status, ok := outcome["status"]
			if !ok {
				status = 0
			}
			sequence = append(sequence, status)
			sent = append(sent, outcome["sent_ms"])
		}
	}
	out["count"], out["statuses"], out["sequence"], out["sent_ms"], out["samples"] = len(outcomes), statuses, sequence, sent, samples
}

// keepToken reads the access token of a 200 token response: its claims as evidence, the body replaced
// by its size, the token stored under store_token.
func (g *gateway) keepToken(step map[string]any, out result) {
	body, _ := out["body"].(string)
	var answer map[string]any
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		out["token_error"] = err.Error()
		return
	}
	token, ok := answer["access_token"].(string)
	if !ok {
		out["token_error"] = "'access_token'"
		return
	}
	out["claims"] = claimsOf(token)
	out["body"] = fmt.Sprintf("(token response, %d bytes)", utf8.RuneCountInString(body))
	if name := stepText(step, "store_token", ""); name != "" {
		g.tokens[name] = token
	}
	out["access_token"] = token
}

// claimsOf reads a JWT's payload (unverified: the token is evidence, not a credential here).
func claimsOf(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return map[string]any{"unreadable": "not a JWT: no payload part"}
	}
	payload := parts[1] + strings.Repeat("=", (4-len(parts[1])%4)%4)
	data, err := base64.URLEncoding.DecodeString(payload)
	if err != nil {
		return map[string]any{"unreadable": err.Error()}
	}
	decoder := json.NewDecoder(strings.NewReader(string(data)))
	decoder.UseNumber() // exp and iat stay integers
	var claims map[string]any
	if err := decoder.Decode(&claims); err != nil {
		return map[string]any{"unreadable": err.Error()}
	}
	picked := map[string]any{}
	for _, key := range []string{"azp", "scope", "aud", "iss", "exp", "iat"} {
		picked[key] = claims[key] // null when absent, as data.get(k)
	}
	return picked
}

// requestOf is the request a step makes: a client_credentials POST on the token route, or the step's
// own request with its token.
func (g *gateway) requestOf(step map[string]any) (string, string, map[string]string, *string, error) {
	headers := map[string]string{}
	if given, ok := step["headers"].(map[string]any); ok {
		for name, value := range given {
			headers[name] = fmt.Sprint(value)
		}
	}
	var body *string
	if text, ok := step["body"].(string); ok {
		body = &text
	}
	if clientName := stepText(step, "token_request", ""); clientName != "" {
		client, err := g.clientOf(clientName, step)
		if err != nil {
			return "", "", nil, nil, err
		}
		form := "grant_type=client_credentials"
		for _, field := range client {
			form += "&" + url.QueryEscape(field[0]) + "=" + url.QueryEscape(field[1])
		}
		if !hasHeader(headers, "Content-Type") {
			headers["Content-Type"] = "application/x-www-form-urlencoded"
		}
		path := stepText(step, "path", g.tokenPath)
		if path == "" {
			return "", "", nil, nil, errors.New("PLATFORM_OAUTH_TOKEN_URL is not set and the step names no path")
		}
		return "POST", path, headers, &form, nil
	}
	token, err := g.tokenFor(step["token"])
	if err != nil {
		return "", "", nil, nil, err
	}
	if token != nil {
		for name := range headers {
			if strings.EqualFold(name, "Authorization") {
				delete(headers, name)
			}
		}
		headers["Authorization"] = "Bearer " + *token
	}
	path, ok := step["path"].(string)
	if !ok {
		return "", "", nil, nil, errors.New("'path'")
	}
	return stepText(step, "method", "GET"), path, headers, body, nil
}

func hasHeader(headers map[string]string, name string) bool {
	for given := range headers {
		if strings.EqualFold(given, name) {
			return true
		}
	}
	return false
}

// clientOf is an OAuth2 client's form fields in order (client_id, client_secret, then any others):
// "own" from the app's env and secret file, another from the arguments; a step's client_secret wins.
func (g *gateway) clientOf(name string, step map[string]any) ([][2]string, error) {
	fields := map[string]string{}
	if name == "own" {
		secret, err := os.ReadFile(os.Getenv("PLATFORM_OAUTH_CLIENT_SECRET_FILE"))
		if err != nil {
			_, text := pythonError(err)
			return nil, fmt.Errorf("%s: %s", text, os.Getenv("PLATFORM_OAUTH_CLIENT_SECRET_FILE"))
		}
		fields["client_id"], fields["client_secret"] = os.Getenv("PLATFORM_OAUTH_CLIENT_ID"), strings.TrimSpace(string(secret))
	} else {
		client, ok := g.clients[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("'%s'", name)
		}
		for key, value := range client {
			fields[key] = fmt.Sprint(value)
		}
	}
	if secret, given := step["client_secret"]; given {
		fields["client_secret"] = fmt.Sprint(secret)
	}
	var ordered [][2]string
	for _, key := range []string{"client_id", "client_secret"} {
		if value, ok := fields[key]; ok {
			ordered = append(ordered, [2]string{key, value})
			delete(fields, key)
		}
	}
	rest := make([]string, 0, len(fields))
	for key := range fields {
		rest = append(rest, key)
	}
	sort.Strings(rest)
	for _, key := range rest {
		ordered = append(ordered, [2]string{key, fields[key]})
	}
	return ordered, nil
}

// tokenFor resolves a step's token: none, a literal, a stored one, or the app's own (fetched once).
func (g *gateway) tokenFor(ref any) (*string, error) {
	switch value := ref.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		literal, ok := value["literal"].(string)
		if !ok {
			return nil, errors.New("'literal'")
		}
		return &literal, nil
	case string:
		if value == "none" {
			return nil, nil
		}
		if token, ok := g.tokens[value]; ok {
			return &token, nil
		}
		if value != "own" {
			return nil, fmt.Errorf("no token stored as '%s'", value)
		}
		fetched := g.runStep(map[string]any{"id": "own-token", "token_request": "own", "store_token": "own"})
		if token, ok := g.tokens["own"]; ok {
			return &token, nil
		}
		return nil, fmt.Errorf("could not get the app's own token: %s", truncateRunes(jsonText(fetched), 300))
	}
	return nil, fmt.Errorf("token %s is neither a name nor {\"literal\": ...}", jsonText(ref))
}

func truncateRunes(text string, limit int) string {
	if utf8.RuneCountInString(text) <= limit {
		return text
	}
	return string([]rune(text)[:limit])
}

// sslError is an OpenSSL-style failure (a reason name and a text).
type sslError struct{ reason, text string }

func (e sslError) Error() string { return e.text }

// tlsError describes a TLS failure as the script does: {"error": Python's exception class, "reason":
// OpenSSL's reason name, or the text, "alert": whether it is an alert received from the peer}.
func tlsError(err error) map[string]any {
	describe := func(kind, reason string) map[string]any {
		alert := strings.HasPrefix(reason, "SSLV3_") || strings.HasPrefix(reason, "TLSV1")
		return map[string]any{"error": kind, "reason": reason, "alert": alert}
	}
	if code, ok := receivedAlert(err); ok {
		return describe("SSLError", alertReason(code))
	}
	var verification *tls.CertificateVerificationError
	var hostname x509.HostnameError
	var authority x509.UnknownAuthorityError
	if errors.As(err, &verification) || errors.As(err, &hostname) || errors.As(err, &authority) {
		return describe("SSLCertVerificationError", "CERTIFICATE_VERIFY_FAILED")
	}
	var record tls.RecordHeaderError
	if errors.As(err, &record) {
		return describe("SSLError", "WRONG_VERSION_NUMBER")
	}
	var openssl sslError
	if errors.As(err, &openssl) {
		return describe("SSLError", openssl.reason)
	}
	if isEOF(err) {
		return describe("SSLEOFError", "UNEXPECTED_EOF_WHILE_READING")
	}
	return describe(pythonError(err))
}

// receivedAlert is the alert the peer sent, when that is what ended the connection (Go reports it as
// a "remote error" whose cause is the alert's number).
func receivedAlert(err error) (uint8, bool) {
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return uint8(alert), true
	}
	var operation *net.OpError
	if errors.As(err, &operation) && operation.Op == "remote error" && operation.Err != nil {
		if value := reflect.ValueOf(operation.Err); value.Kind() == reflect.Uint8 {
			return uint8(value.Uint()), true
		}
	}
	return 0, false
}

// opensslAlerts are OpenSSL's reason names for alerts received (its SSL_R_* codes, 1000 + alert).
var opensslAlerts = map[uint8]string{
	10: "SSLV3_ALERT_UNEXPECTED_MESSAGE", 20: "SSLV3_ALERT_BAD_RECORD_MAC", 21: "TLSV1_ALERT_DECRYPTION_FAILED",
	22: "TLSV1_ALERT_RECORD_OVERFLOW", 30: "SSLV3_ALERT_DECOMPRESSION_FAILURE", 40: "SSLV3_ALERT_HANDSHAKE_FAILURE",
	41: "SSLV3_ALERT_NO_CERTIFICATE", 42: "SSLV3_ALERT_BAD_CERTIFICATE", 43: "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
	44: "SSLV3_ALERT_CERTIFICATE_REVOKED", 45: "SSLV3_ALERT_CERTIFICATE_EXPIRED", 46: "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
	47: "SSLV3_ALERT_ILLEGAL_PARAMETER", 48: "TLSV1_ALERT_UNKNOWN_CA", 49: "TLSV1_ALERT_ACCESS_DENIED",
	50: "TLSV1_ALERT_DECODE_ERROR", 51: "TLSV1_ALERT_DECRYPT_ERROR", 60: "TLSV1_ALERT_EXPORT_RESTRICTION",
	70: "TLSV1_ALERT_PROTOCOL_VERSION", 71: "TLSV1_ALERT_INSUFFICIENT_SECURITY", 80: "TLSV1_ALERT_INTERNAL_ERROR",
	86: "TLSV1_ALERT_INAPPROPRIATE_FALLBACK", 90: "TLSV1_ALERT_USER_CANCELLED", 100: "TLSV1_ALERT_NO_RENEGOTIATION",
	109: "TLSV13_ALERT_MISSING_EXTENSION", 110: "TLSV1_UNSUPPORTED_EXTENSION", 111: "TLSV1_CERTIFICATE_UNOBTAINABLE",
	112: "TLSV1_UNRECOGNIZED_NAME", 113: "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE", 114: "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
	115: "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY", 116: "TLSV13_ALERT_CERTIFICATE_REQUIRED", 120: "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
}

func alertReason(code uint8) string {
	if name, ok := opensslAlerts[code]; ok {
		return name
	}
	return fmt.Sprintf("TLSV1_ALERT_NUMBER_%d", code)
}

// exchangeError is the script's "<exception class>: <text>" for a request that got no response.
func exchangeError(err error) string {
	if code, ok := receivedAlert(err); ok {
		return fmt.Sprintf("SSLError: [SSL: %s] %v", alertReason(code), err)
	}
	if isEOF(err) {
		return "RemoteDisconnected: Remote end closed connection without response"
	}
	if _, ok := errnoOf(err); ok || isTimeout(err) {
		kind, text := pythonError(err)
		return kind + ": " + text
	}
	return "HTTPException: " + err.Error()
}

// pythonOSErrors are the OSError subclasses Python raises for these errnos.
var pythonOSErrors = map[string]string{
	"ECONNREFUSED": "ConnectionRefusedError", "ECONNRESET": "ConnectionResetError", "ECONNABORTED": "ConnectionAbortedError",
	"EPIPE": "BrokenPipeError", "ESHUTDOWN": "BrokenPipeError", "ETIMEDOUT": "TimeoutError", "ENOENT": "FileNotFoundError",
	"EACCES": "PermissionError", "EPERM": "PermissionError", "EAGAIN": "BlockingIOError", "EINPROGRESS": "BlockingIOError",
	"EALREADY": "BlockingIOError", "EINTR": "InterruptedError", "EEXIST": "FileExistsError", "EISDIR": "IsADirectoryError",
	"ENOTDIR": "NotADirectoryError", "ECHILD": "ChildProcessError", "ESRCH": "ProcessLookupError",
}

// pythonError is (exception class, str(exception)) for an error as Python would raise it.
func pythonError(err error) (string, string) {
	if code, ok := errnoOf(err); ok {
		kind, known := pythonOSErrors[errname(code)]
		if !known {
			kind = "OSError"
		}
		text := code.Error()
		if text != "" {
			text = strings.ToUpper(text[:1]) + text[1:]
		}
		return kind, fmt.Sprintf("[Errno %d] %s", int(code), text)
	}
	if isTimeout(err) {
		return "TimeoutError", "timed out"
	}
	return "OSError", err.Error()
}
