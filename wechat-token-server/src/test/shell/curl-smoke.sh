#!/usr/bin/env bash
# Smoke test of a running wechat-token-server with curl: every endpoint and every error status.
#
#   TOKEN_SERVER_KEY=<api key> curl-smoke.sh <base-url> <appId>
#   curl-smoke.sh <base-url> <appId> <api key>      (the key is then visible in the process list)
#
# The key must be allowed to read <appId>. Exits non-zero, naming the failed check, on the first
# failure. Note: it reports the current token as rejected once, so the server fetches one new token.
set -euo pipefail

base=${1:?usage: curl-smoke.sh <base-url> <appId> [key]}
app=${2:?usage: curl-smoke.sh <base-url> <appId> [key]}
key=${3:-${TOKEN_SERVER_KEY:?set TOKEN_SERVER_KEY or pass the key as the third argument}}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
# The key goes to curl in a file, not on its command line.
printf 'Authorization: Bearer %s\n' "$key" >"$work/auth"
printf 'Authorization: Bearer %s\n' "wrong-key-0123456789abcdef" >"$work/wrong"

fail() { echo "curl-smoke: FAILED: $*" >&2; exit 1; }

# request <expected status> <curl args...>: leaves the body in $work/body
request() {
  local expected=$1; shift
  local status
  status=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 20 "$@") || fail "curl $* did not complete"
  [[ "$status" == "$expected" ]] || fail "expected $expected, got $status for $*: $(head -c 300 "$work/body")"
}

# json_field <name>: a string or number field of the last body
json_field() {
  sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$work/body"
}

token_url="$base/v1/accounts/$app/access_token"

request 200 -H @"$work/auth" "$token_url"
token=$(json_field access_token)
[[ -n "$token" ]] || fail "no access_token in the answer"
expires_in=$(json_field expires_in)
[[ "$expires_in" =~ ^[0-9]+$ && "$expires_in" -gt 0 ]] || fail "expires_in is not a positive number"
expires_at=$(json_field expires_at)
[[ "$expires_at" =~ ^[0-9]+$ ]] || fail "expires_at is not a number"

request 200 -H @"$work/auth" "$token_url"
[[ "$(json_field access_token)" == "$token" ]] || fail "a second read gave another token"

request 401 "$token_url"
grep -q '"error":"unauthorized"' "$work/body" || fail "401 without a JSON error"
request 401 -H @"$work/wrong" "$token_url"
request 404 -H @"$work/auth" "$base/v1/accounts/wxnosuchaccount0000/access_token"
request 404 -H @"$work/auth" "$base/v1/nothing-here"
request 405 -X POST -H @"$work/auth" "$token_url"
request 405 -H @"$work/auth" "$token_url/rejected"
request 400 -X POST -H @"$work/auth" -H 'Content-Type: application/json' -d '{"nothing":1}' "$token_url/rejected"
head -c 5000 /dev/zero | tr '\0' 'a' >"$work/big"
request 413 -X POST -H @"$work/auth" -H 'Content-Type: application/json' --data-binary @"$work/big" "$token_url/rejected"

# A report of a token that is not the current one changes nothing.
request 200 -X POST -H @"$work/auth" -H 'Content-Type: application/json' \
  -d '{"access_token":"an-old-token-that-is-not-current"}' "$token_url/rejected"
[[ "$(json_field access_token)" == "$token" ]] || fail "reporting an old token replaced the current one"

# The passive refresh: the current token reported as rejected is replaced (unless the server
# replaced it less than rejectedMinIntervalSeconds ago: then 429, and it stays).
printf '{"access_token":"%s"}' "$token" >"$work/report"
status=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 20 -X POST -H @"$work/auth" \
  -H 'Content-Type: application/json' --data-binary @"$work/report" "$token_url/rejected") \
  || fail "the passive refresh did not complete"
if [[ "$status" == 200 ]]; then
  new_token=$(json_field access_token)
  [[ -n "$new_token" && "$new_token" != "$token" ]] || fail "the rejected token was not replaced"
  request 200 -H @"$work/auth" "$token_url"
  [[ "$(json_field access_token)" == "$new_token" ]] || fail "reads do not give the new token"
elif [[ "$status" == 429 ]]; then
  grep -q '"error":"too_many_rejections"' "$work/body" || fail "429 without its JSON error"
  echo "curl-smoke: note: the passive refresh was refused as too soon after the last one (429)"
else
  fail "the passive refresh answered $status: $(head -c 300 "$work/body")"
fi

request 200 -H @"$work/auth" "$base/v1/health"
grep -q '"status":"ok"' "$work/body" || fail "health is not ok"
request 200 -H @"$work/auth" "$base/v1/metrics"
grep -q '^wechat_token_server_requests_total{' "$work/body" || fail "no request counter in the metrics"
request 401 "$base/v1/metrics"

echo "curl-smoke: OK ($base, $app)"
