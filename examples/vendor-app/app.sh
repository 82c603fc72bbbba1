#!/bin/sh
# The example vendor app (docs/vendor-guide.md). Every INTERVAL_SECONDS it
#   1. fetches EGRESS_URL, a host on its egress whitelist, through the egress proxy, and
#   2. gets an OAuth2 token (client credentials) and calls SERVICE_PATH through the gateway.
# It uses only what the platform gives every app (render/workloads.ts, appPlatformEnv):
#   http_proxy / HTTP_PROXY          the egress proxy on the app's own network
#   PLATFORM_GATEWAY_URL             https://<gateway address in the app's subnet>:8443
#   PLATFORM_CA_FILE, PLATFORM_CERT_FILE, PLATFORM_KEY_FILE   the platform CA, the app's certificate and key
#   PLATFORM_OAUTH_CLIENT_ID, PLATFORM_OAUTH_CLIENT_SECRET_FILE, PLATFORM_OAUTH_TOKEN_URL
# Step 2 needs an HTTP client that presents a client certificate (the gateway requires mTLS).
# BusyBox's wget has no option for one, so on the busybox image step 2 says so and is skipped; on an
# image with curl it runs. POSIX sh: BusyBox's ash, dash and bash all run it.
set -u

EGRESS_URL=${EGRESS_URL:-http://example.com/}
SERVICE_PATH=${SERVICE_PATH:-/weather/v1/forecast/}
INTERVAL_SECONDS=${INTERVAL_SECONDS:-60}
TOKEN=""
TOKEN_RENEW_AT=0

log() { echo "vendor-app: $*"; }

for name in PLATFORM_APP PLATFORM_GATEWAY_URL PLATFORM_CA_FILE PLATFORM_CERT_FILE PLATFORM_KEY_FILE \
  PLATFORM_OAUTH_CLIENT_ID PLATFORM_OAUTH_CLIENT_SECRET_FILE PLATFORM_OAUTH_TOKEN_URL http_proxy; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    log "$name is not set: the platform sets it; run the app on the platform or in the sandbox"
    exit 2
  fi
done

# Step 1. BusyBox's wget sends an http:// URL to $http_proxy. (An https:// URL it would send to the
# proxy as a plain "GET https://..." rather than a CONNECT tunnel, which the egress proxy refuses.)
fetch_through_proxy() {
  if body=$(wget -q -O - "$EGRESS_URL" 2>&1); then
    log "egress: $EGRESS_URL answered, $(printf '%s' "$body" | wc -c) bytes"
  else
    log "egress: $EGRESS_URL failed: $body"
  fi
}

# Step 2a. A token from Keycloak, through the gateway, with the client certificate. The secret is sent
# from its file (curl's name@file), so it never appears on a command line. Tokens are short-lived
# (platform:identity.accessTokenLifespanSeconds, 300 s by default) and there is no refresh token:
# the app asks for a new one shortly before expires_in runs out.
renew_token() {
  now=$(date +%s)
  [ -n "$TOKEN" ] && [ "$now" -lt "$TOKEN_RENEW_AT" ] && return 0
  response=$(curl --silent --show-error --fail \
    --cacert "$PLATFORM_CA_FILE" --cert "$PLATFORM_CERT_FILE" --key "$PLATFORM_KEY_FILE" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$PLATFORM_OAUTH_CLIENT_ID" \
    --data-urlencode "client_secret@$PLATFORM_OAUTH_CLIENT_SECRET_FILE" \
    "$PLATFORM_OAUTH_TOKEN_URL" 2>&1) || { log "token: $response"; TOKEN=""; return 1; }
  TOKEN=$(printf '%s' "$response" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  lifetime=$(printf '%s' "$response" | sed -n 's/.*"expires_in":\([0-9]*\).*/\1/p')
  [ -n "$TOKEN" ] || { log "token: no access_token in the answer"; return 1; }
  TOKEN_RENEW_AT=$((now + ${lifetime:-60} - 30))
}

# Step 2b. <gateway>/<service>/<path at the service>, with the certificate and the token. NO_PROXY
# names the gateway, so curl connects to it directly, not through the egress proxy.
call_service() {
  renew_token || return 1
  response=$(curl --silent --show-error \
    --cacert "$PLATFORM_CA_FILE" --cert "$PLATFORM_CERT_FILE" --key "$PLATFORM_KEY_FILE" \
    --header "Authorization: Bearer $TOKEN" \
    --write-out '\nHTTP %{http_code}' \
    "$PLATFORM_GATEWAY_URL$SERVICE_PATH" 2>&1) || { log "gateway: $response"; return 1; }
  log "gateway: GET $SERVICE_PATH: $(printf '%s' "$response" | tail -n 1), $(printf '%s' "$response" | sed '$d' | head -c 200)"
}

trap 'exit 0' TERM INT
log "$PLATFORM_APP started"
while :; do
  fetch_through_proxy
  if command -v curl >/dev/null 2>&1; then
    call_service
  else
    log "gateway: skipped: this image has no curl, and BusyBox's wget cannot present the client certificate the gateway requires"
  fi
  sleep "$INTERVAL_SECONDS" &
  wait $!
done
