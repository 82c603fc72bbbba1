// The gateway's JSON access log (docs/log-formats.md): one object per line on stdout. Single-command
// values such as %RESPONSE_CODE% and %DURATION% come out as JSON numbers.

const STDOUT_ACCESS_LOG = "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog";

export function gatewayLogFormat(app: string): Record<string, string> {
  return {
    source: "gateway",
    time: "%START_TIME%",
    app,
    client: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
    peer: "%DOWNSTREAM_PEER_URI_SAN%",
    method: "%REQ(:METHOD)%",
    path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    service: "%UPSTREAM_CLUSTER%",
    status: "%RESPONSE_CODE%",
    flags: "%RESPONSE_FLAGS%",
    duration_ms: "%DURATION%",
    // beyond the contract: what the monitor and an investigator want next
    details: "%RESPONSE_CODE_DETAILS%",
    token_client: "%DYNAMIC_METADATA(envoy.filters.http.jwt_authn:jwt_payload:azp)%",
    request_id: "%REQ(X-REQUEST-ID)%",
    bytes_received: "%BYTES_RECEIVED%",
    bytes_sent: "%BYTES_SENT%",
    upstream_host: "%UPSTREAM_HOST%",
  };
}

/** An access_log entry (envoy.config.accesslog.v3.AccessLog) writing the JSON format to stdout. */
export function stdoutJsonAccessLog(app: string): Record<string, unknown> {
  return {
    name: "envoy.access_loggers.stdout",
    typed_config: { "@type": STDOUT_ACCESS_LOG, log_format: { json_format: gatewayLogFormat(app) } },
  };
}
