#!/usr/bin/env bash
# Black-box acceptance test of issue 12 (numbering.toml: call classes barred by default, emergency
# numbers that always get through, E.164 and tel: numbers), written from the issue text alone:
#   - `switchd check` on valid confs (UK plan of the issue, US trunk 9 + 911) and on every invalid conf
#     of the issue's validation list (exit 1, the file and the conflicting items named);
#   - `switchd route` for every rule (emergency first, 484, 403 Call Class Barred, [outbound] override,
#     default allow, allow = [], + numbers over the e164 trunk);
#   - the daemon over UDP on 127.0.0.1: tel: and + Request-URIs, emergency 302, 403 Call Class Barred,
#     OPTIONS with tel:, REGISTER with tel: (416).
#   bash Tests/daemon/numbering.sh [path-to-switchd]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
lib_init numbering 240

# ---------------------------------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------------------------------
uk=$lib_work/uk
mkdir -p "$uk/customers" "$uk/groups"
cat >"$uk/switchd.toml" <<'TOML'
[registrar]
store = "memory"
TOML
cat >"$uk/numbering.toml" <<'TOML'
country_code = "44"          # E.164 country code of this PBX's numbering plan
national_prefix = "0"        # what replaces +44 when a national number is classified

[emergency]
numbers = ["999", "112"]     # dialled bare or after any trunk code of the caller's customer
gateway = "sip:{number}@emergency-gw.example"   # where every emergency call goes

[classes]                    # the number dialled after a trunk code is in the class of its longest matching prefix
international = ["00"]
premium = ["09", "0871"]
mobile = ["07"]
national = ["01", "02", "03"]
# a number that matches no prefix is in class "local"
TOML
cat >"$uk/groups/harbor.toml" <<'TOML'
name = "Harbor"
TOML
# Acme: trunk 9 (allow local/national/mobile, e164), trunk 8 (no allow: the default), trunk 6 (allow = []),
# 201 may call abroad ([outbound."201"]).
cat >"$uk/customers/acme.toml" <<'TOML'
name = "Acme"
cm = 3
domains = ["acme.example"]
group = "harbor"
access_code = "71"
networks = ["127.0.0.1/32"]

[extensions]
"201" = "sip:201@10.1.0.21:5060"
"202" = "sip:202@10.1.0.22:5060"
"300-349" = "sip:{ext}@pbx.acme.example"

[trunks."9"]
gateway = "sip:{number}@gw.acme.example"
allow = ["local", "national", "mobile"]
e164 = true

[trunks."8"]
gateway = "sip:{number}@gw8.acme.example"

[trunks."6"]
gateway = "sip:{number}@gw6.acme.example"
allow = []

[outbound."201"]
allow = ["local", "national", "mobile", "international"]
TOML
# Globex: trunk 9 with the default allow, no e164 trunk.
cat >"$uk/customers/globex.toml" <<'TOML'
name = "Globex"
cm = 3
domains = ["globex.example"]
group = "harbor"
access_code = "72"
networks = ["127.0.0.1/32"]

[extensions]
"200-299" = "sip:{ext}@pbx.globex.example"

[trunks."9"]
gateway = "sip:{number}@gw.globex.example"
TOML
# Initech: its only trunk bars every class.
cat >"$uk/customers/initech.toml" <<'TOML'
name = "Initech"
cm = 3
domains = ["initech.example"]
group = "harbor"
access_code = "73"
networks = ["127.0.0.1/32"]

[extensions]
"400-449" = "sip:{ext}@pbx.initech.example"

[trunks."9"]
gateway = "sip:{number}@gw.initech.example"
allow = []
TOML

us=$lib_work/us
mkdir -p "$us/customers"
cp "$uk/switchd.toml" "$us/switchd.toml"
cat >"$us/numbering.toml" <<'TOML'
country_code = "1"
national_prefix = "1"

[emergency]
numbers = ["911"]
gateway = "sip:{number}@emergency-gw.example"

[classes]
international = ["011"]
premium = ["1900"]
national = ["1"]
TOML
cat >"$us/customers/hooli.toml" <<'TOML'
name = "Hooli"
cm = 1
domains = ["hooli.example"]
networks = ["127.0.0.1/32"]

[extensions]
"200-299" = "sip:{ext}@pbx.hooli.example"

[trunks."9"]
gateway = "sip:{number}@gw.hooli.example"
e164 = true
TOML

# ---------------------------------------------------------------------------------------------------
# switchd check
# ---------------------------------------------------------------------------------------------------
check_out=""
check_rc=0
run_check() {  # run_check DIR: sets check_out (stdout+stderr) and check_rc
    check_rc=0
    check_out=$("$switchd" check --conf "$1" 2>&1) || check_rc=$?
}

run_check "$uk"
check "check: the UK conf of the issue is valid (exit 0)" "$check_rc" "0"
echo "    $check_out"
check_true "check: the summary counts 2 emergency numbers" "" grep -Eq '(^|[^0-9])2 emergency numbers?' <<<"$check_out"
check_true "check: the summary counts the call classes (4 named, or 5 with local)" "" \
    grep -Eiq '(^|[^0-9])[45] (call )?class' <<<"$check_out"
check_true "check: allow = [] (acme trunk 6, initech trunk 9) is valid" "" test "$check_rc" = 0

run_check "$us"
check "check: trunk 9 beside emergency 911 is valid (exit 0)" "$check_rc" "0"
echo "    $check_out"
check_true "check: the US summary counts 1 emergency number" "" grep -Eq '(^|[^0-9])1 emergency number' <<<"$check_out"

# An [outbound] entry for an extension that exists inside a range.
variant_n=0
variant=""
new_variant() {  # new_variant BASE: a fresh copy of BASE in $variant
    variant_n=$((variant_n + 1))
    variant=$lib_work/v$variant_n
    cp -R "$1" "$variant"
}
new_variant "$uk"
printf '\n[outbound."310"]\nallow = ["local"]\n' >>"$variant/customers/acme.toml"
run_check "$variant"
check "check: [outbound] for an extension inside a range (310 in 300-349) is valid" "$check_rc" "0"

# expect_invalid NAME FILE_SUFFIX REGEX...: exit 1, and one output line naming the file and matching
# every REGEX (extended, case-insensitive).
expect_invalid() {
    local name=$1 file=$2
    shift 2
    check "check: $name: exit 1" "$check_rc" "1"
    local lines
    lines=$(grep -F -- "$file" <<<"$check_out" || true)
    local re
    for re in "$@"; do lines=$(grep -Ei -- "$re" <<<"$lines" || true); done
    if [[ -n $lines ]]; then
        echo "PASS check: $name: a line names $file and the items ($*)"
        lib_passed=$((lib_passed + 1))
    else
        echo "FAIL check: $name: no line names $file and matches ($*); output:"
        sed 's/^/    /' <<<"$check_out"
        lib_failed=$((lib_failed + 1))
    fi
}
tok() { echo "(^|[^0-9])$1([^0-9]|\$)"; }  # a number as a whole token

new_variant "$uk"
sed -i 's/^allow = \["local", "national", "mobile"\]$/allow = ["local", "national", "nosuchclass"]/' "$variant/customers/acme.toml"
run_check "$variant"
expect_invalid "unknown class name in a trunk's allow" "customers/acme.toml" "allow" "nosuchclass"

new_variant "$uk"
sed -i 's/^allow = \["local", "national", "mobile", "international"\]$/allow = ["local", "overseas"]/' "$variant/customers/acme.toml"
run_check "$variant"
expect_invalid "unknown class name in [outbound] allow" "customers/acme.toml" "allow" "overseas"

new_variant "$uk"
sed -i 's|^gateway = "sip:{number}@gw8.acme.example"$|&\ne164 = true|' "$variant/customers/acme.toml"
run_check "$variant"
expect_invalid "a second e164 trunk" "customers/acme.toml" "e164"

new_variant "$uk"
printf '\n[outbound."555"]\nallow = ["local"]\n' >>"$variant/customers/acme.toml"
run_check "$variant"
expect_invalid "[outbound] for an extension that does not exist" "customers/acme.toml" "outbound" "$(tok 555)"

new_variant "$uk"
sed -i 's/^premium = \["09", "0871"\]$/premium = ["09", "08x1"]/' "$variant/numbering.toml"
run_check "$variant"
expect_invalid "a malformed class prefix" "numbering.toml" "premium" "08x1"

new_variant "$uk"
sed -i 's/^mobile = \["07"\]$/mobile = [""]/' "$variant/numbering.toml"
run_check "$variant"
expect_invalid "an empty class prefix" "numbering.toml" "mobile"

# Extensions and access codes against emergency numbers: the error names both (in either file).
conflict_file="(customers/acme.toml|numbering.toml)"
expect_conflict() {  # expect_conflict NAME A B: exit 1 and one line naming a file, A and B
    check "check: $1: exit 1" "$check_rc" "1"
    check "check: $1: one error (the conflict, nothing else)" "$(grep -cF -- "$variant/" <<<"$check_out" || true)" "1"
    local lines
    lines=$(grep -E -- "$conflict_file" <<<"$check_out" | grep -E -- "$2" | grep -E -- "$3" || true)
    if [[ -n $lines ]]; then
        echo "PASS check: $1: a line names the file and both"
        lib_passed=$((lib_passed + 1))
    else
        echo "FAIL check: $1: no line names $conflict_file, $2 and $3; output:"
        sed 's/^/    /' <<<"$check_out"
        lib_failed=$((lib_failed + 1))
    fi
}
add_ext() { sed -i "s|^\[extensions\]\$|&\n$2|" "$1"; }

new_variant "$uk"
add_ext "$variant/customers/acme.toml" '"112" = "sip:112@10.1.0.12"'
run_check "$variant"
expect_conflict "an extension equal to an emergency number (112)" "$(tok 112)" "$(tok 112)"

new_variant "$uk"
add_ext "$variant/customers/acme.toml" '"11" = "sip:11@10.1.0.11"'
run_check "$variant"
expect_conflict "an extension that is a prefix of an emergency number (11, 112)" "$(tok 11)" "$(tok 112)"

new_variant "$uk"
add_ext "$variant/customers/acme.toml" '"1120" = "sip:1120@10.1.0.20"'
run_check "$variant"
expect_conflict "an extension that starts with an emergency number (1120, 112)" "$(tok 1120)" "$(tok 112)"

new_variant "$uk"
add_ext "$variant/customers/acme.toml" '"100-199" = "sip:{ext}@office.acme.example"'
run_check "$variant"
expect_conflict "an extension range containing an emergency number (100-199, 112)" "100-199" "$(tok 112)"

new_variant "$uk"
sed -i 's/^access_code = "71"$/access_code = "11"/' "$variant/customers/acme.toml"
run_check "$variant"
expect_conflict "an access code that is a prefix of an emergency number (11, 112)" "$(tok 11)" "$(tok 112)"

new_variant "$uk"
sed -i 's/^access_code = "71"$/access_code = "112"/' "$variant/customers/acme.toml"
run_check "$variant"
expect_conflict "an access code equal to an emergency number (112)" "$(tok 112)" "$(tok 112)"

new_variant "$uk"
sed -i 's/^access_code = "71"$/access_code = "1121"/' "$variant/customers/acme.toml"
run_check "$variant"
expect_conflict "an access code that starts with an emergency number (1121, 112)" "$(tok 1121)" "$(tok 112)"

# ---------------------------------------------------------------------------------------------------
# switchd route
# ---------------------------------------------------------------------------------------------------
route_json() {  # route_json CONF FROM DIGITS [ARGS...]: --json output, source 127.0.0.1
    local conf=$1 from=$2 digits=$3
    shift 3
    "$switchd" route --conf "$conf" --from "$from" --source 127.0.0.1 --json "$@" "$digits" 2>&1 || true
}
jfield() {  # jfield JSON KEY: a field of route's JSON ("" when absent); "contacts" falls back on "contact"
    python3 -c 'import json, sys
try:
    d = json.loads(sys.argv[1])
except ValueError:
    print("<not json: %s>" % sys.argv[1].replace("\n", " ")); sys.exit()
v = d.get(sys.argv[2], "")
print(json.dumps(v) if isinstance(v, (list, dict)) else v)' "$1" "$2"
}
# expect_route NAME CONF FROM DIGITS STATUS [CONTACT] [-- ARGS...]
expect_route() {
    local name=$1 conf=$2 from=$3 digits=$4 status=$5 contact=${6:-}
    shift 5
    [[ $# -gt 0 ]] && shift
    [[ ${1:-} == "--" ]] && shift
    local out
    out=$(route_json "$conf" "$from" "$digits" "$@")
    if [[ -n $contact ]]; then
        check "route: $name" "$(jfield "$out" status) $(jfield "$out" contact)" "$status $contact"
    else
        check "route: $name" "$(jfield "$out" status)" "$status"
    fi
}
# expect_reason NAME CONF FROM DIGITS REGEX...: the JSON reason matches every REGEX
expect_reason() {
    local name=$1 conf=$2 from=$3 digits=$4
    shift 4
    local out reason re ok=1
    out=$(route_json "$conf" "$from" "$digits")
    reason=$(jfield "$out" reason)
    for re in "$@"; do grep -Eiq -- "$re" <<<"$reason" || ok=0; done
    if [[ $ok == 1 ]]; then
        echo "PASS route: $name (reason: $reason)"
        lib_passed=$((lib_passed + 1))
    else
        echo "FAIL route: $name: reason '$reason' does not match all of ($*)"
        lib_failed=$((lib_failed + 1))
    fi
}
# expect_line NAME CONF FROM DIGITS LINE: the first line of the text output
expect_line() {
    local out
    out=$("$switchd" route --conf "$2" --from "$3" --source 127.0.0.1 "$4" 2>&1 || true)
    check "route: $1" "$(head -n 1 <<<"$out" | sed 's/[[:space:]]*$//')" "$5"
}

A=sip:202@acme.example       # an Acme extension without [outbound]
R=sip:201@acme.example       # Acme's reception, [outbound."201"] adds international
G=sip:250@globex.example
I=sip:400@initech.example
H=sip:250@hooli.example
EGW=emergency-gw.example

# Emergency first.
expect_route "999 bare" "$uk" "$A" 999 302 "sip:999@$EGW"
expect_route "112 bare" "$uk" "$A" 112 302 "sip:112@$EGW"
expect_route "999 after trunk 9 (9999)" "$uk" "$A" 9999 302 "sip:999@$EGW"
expect_route "112 after trunk 9 (9112)" "$uk" "$A" 9112 302 "sip:112@$EGW"
expect_route "999 after trunk 8 (default allow)" "$uk" "$A" 8999 302 "sip:999@$EGW"
expect_route "112 after trunk 6 (allow = [])" "$uk" "$A" 6112 302 "sip:112@$EGW"
expect_route "999 after own access code (71999)" "$uk" "$A" 71999 302 "sip:999@$EGW"
expect_route "own access code, then trunk 9, then 999 (719999)" "$uk" "$A" 719999 302 "sip:999@$EGW"
expect_route "own access code repeatedly (7171112)" "$uk" "$A" 7171112 302 "sip:112@$EGW"
expect_route "own access code repeatedly, then trunk 9, then 999 (7171719999)" "$uk" "$A" 7171719999 302 "sip:999@$EGW"
expect_route "999 with another customer's Request-URI host" "$uk" "$A" 999 302 "sip:999@$EGW" -- --ruri-host globex.example
expect_route "9112 with another customer's Request-URI host" "$uk" "$A" 9112 302 "sip:112@$EGW" -- --ruri-host globex.example
expect_route "71999 with another customer's Request-URI host" "$uk" "$A" 71999 302 "sip:999@$EGW" -- --ruri-host initech.example
expect_route "Globex 999 bare" "$uk" "$G" 999 302 "sip:999@$EGW"
expect_route "Globex 72 9 112 (own access code, trunk, emergency)" "$uk" "$G" 729112 302 "sip:112@$EGW"
expect_route "Initech 999 after its allow = [] trunk" "$uk" "$I" 9999 302 "sip:999@$EGW"
expect_route "Initech 112 bare" "$uk" "$I" 112 302 "sip:112@$EGW"
expect_route "201 (with [outbound]) 999 bare" "$uk" "$R" 999 302 "sip:999@$EGW"
out=$("$switchd" route --conf "$uk" --from "$A" --source 192.0.2.7 --json 999 2>&1 || true)
check "route: an untrusted caller dialling 999 is challenged (401)" "$(jfield "$out" status)" "401"
out=$("$switchd" route --conf "$uk" --from "$A" --source 192.0.2.7 --authenticated --json 999 2>&1 || true)
check "route: an authenticated caller from outside networks dialling 999" "$(jfield "$out" status) $(jfield "$out" contact)" "302 sip:999@$EGW"
out=$(route_json "$uk" "$A" 72999)
check_true "route: another customer's access code + 999 (72999) is not an emergency call" "$out" \
    test "$(jfield "$out" contact)" != "sip:999@$EGW"

# Rule 4 with emergency numbers.
expect_route "11, a proper prefix of 112 nobody routes: 484" "$uk" "$A" 11 484
expect_route "1, a proper prefix of 112 nobody routes: 484" "$uk" "$A" 1 484
expect_route "own access code + 11 (7111): 484" "$uk" "$A" 7111 484
expect_route "trunk code 9 alone: 484" "$uk" "$A" 9 484
expect_route "trunk code 8 alone: 484" "$uk" "$A" 8 484
expect_route "99 is trunk 9's call to 9 (local), not 484" "$uk" "$A" 99 302 "sip:9@gw.acme.example"
expect_route "US: 911 bare" "$us" "$H" 911 302 "sip:911@$EGW"
expect_route "US: 9911 (trunk 9 + 911)" "$us" "$H" 9911 302 "sip:911@$EGW"
expect_route "US: 91 is trunk 9's call to 1" "$us" "$H" 91 302 "sip:1@gw.hooli.example"
expect_route "US: 9 alone: 484" "$us" "$H" 9 484

# Classes: trunk 9 of Acme allows local, national, mobile.
expect_route "202 national over trunk 9" "$uk" "$A" 902079460000 302 "sip:02079460000@gw.acme.example"
expect_reason "an allowed trunk call names its class (national)" "$uk" "$A" 902079460000 "national"
expect_route "202 mobile over trunk 9" "$uk" "$A" 907700900123 302 "sip:07700900123@gw.acme.example"
expect_route "202 local over trunk 9" "$uk" "$A" 95550123 302 "sip:5550123@gw.acme.example"
expect_route "202 international over trunk 9: 403" "$uk" "$A" 90012125550100 403
expect_line "202 international: status line" "$uk" "$A" 90012125550100 "403 Call Class Barred"
expect_reason "202 international: the reason names the class and the prefix" "$uk" "$A" 90012125550100 \
    "international" "$(tok 00)"
expect_route "202 premium 09 over trunk 9: 403" "$uk" "$A" 909098790000 403
expect_reason "202 premium 09: the reason names the class and the prefix" "$uk" "$A" 909098790000 "premium" "$(tok 09)"
expect_line "202 premium 0871: status line" "$uk" "$A" 908712345678 "403 Call Class Barred"
expect_reason "202 premium 0871: the reason names the class and the prefix" "$uk" "$A" 908712345678 "premium" "$(tok 0871)"
expect_route "0870 matches no prefix: local, allowed" "$uk" "$A" 908701234567 302 "sip:08701234567@gw.acme.example"
# [outbound."201"] replaces the trunk's allow, on every trunk.
expect_route "201 international over trunk 9 ([outbound])" "$uk" "$R" 90012125550100 302 "sip:0012125550100@gw.acme.example"
expect_reason "201 international allowed: the reason names the class" "$uk" "$R" 90012125550100 "international"
expect_line "201 premium over trunk 9: still barred" "$uk" "$R" 909098790000 "403 Call Class Barred"
expect_route "201 national over trunk 6 (allow = [], [outbound] wins)" "$uk" "$R" 602079460000 302 "sip:02079460000@gw6.acme.example"
expect_route "201 international over trunk 8 ([outbound] wins over the default)" "$uk" "$R" 800331234567 302 "sip:00331234567@gw8.acme.example"
# The default allow (trunk 8 of Acme, trunk 9 of Globex).
expect_route "default: local allowed" "$uk" "$A" 85550123 302 "sip:5550123@gw8.acme.example"
expect_route "default: national allowed" "$uk" "$A" 801134960000 302 "sip:01134960000@gw8.acme.example"
expect_route "default: mobile allowed" "$uk" "$A" 807700900123 302 "sip:07700900123@gw8.acme.example"
expect_line "default: international barred" "$uk" "$A" 800331234567 "403 Call Class Barred"
expect_line "default: premium 09 barred" "$uk" "$A" 809098790000 "403 Call Class Barred"
expect_line "default: premium 0871 barred" "$uk" "$A" 808712345678 "403 Call Class Barred"
expect_route "Globex default: national allowed" "$uk" "$G" 903000000000 302 "sip:03000000000@gw.globex.example"
expect_line "Globex default: international barred" "$uk" "$G" 900441234 "403 Call Class Barred"
# allow = [] bars every class.
expect_line "allow = []: local barred" "$uk" "$A" 65550123 "403 Call Class Barred"
expect_reason "allow = []: local barred, the reason names the class" "$uk" "$A" 65550123 "local"
expect_line "allow = []: national barred (Initech)" "$uk" "$I" 902079460000 "403 Call Class Barred"
expect_line "allow = []: mobile barred (Initech)" "$uk" "$I" 907700900123 "403 Call Class Barred"
# US: longest matching prefix.
expect_route "US: 1212... is national, allowed by default" "$us" "$H" 912125550100 302 "sip:12125550100@gw.hooli.example"
expect_line "US: 1900... is premium (longest prefix), barred" "$us" "$H" 919005551234 "403 Call Class Barred"
expect_reason "US: 1900...: the reason names premium and 1900" "$us" "$H" 919005551234 "premium" "$(tok 1900)"
expect_line "US: 011... is international, barred" "$us" "$H" 9011442079460000 "403 Call Class Barred"

# E.164.
expect_route "+44 20 national over the e164 trunk" "$uk" "$A" +442079460000 302 "sip:+442079460000@gw.acme.example"
expect_route "%2B44 20 (decoded) over the e164 trunk" "$uk" "$A" %2B442079460000 302 "sip:+442079460000@gw.acme.example"
expect_route "+44 20 with a user parameter" "$uk" "$A" "+442079460000;isub=12" 302 "sip:+442079460000@gw.acme.example"
expect_reason "+44 20 is read as 020...: national" "$uk" "$A" +442079460000 "national"
expect_route "+44 7 mobile over the e164 trunk" "$uk" "$A" +447700900123 302 "sip:+447700900123@gw.acme.example"
expect_line "+44 9 is read as 09...: premium, barred" "$uk" "$A" +449098790000 "403 Call Class Barred"
expect_line "+44 871 is read as 0871...: premium, barred" "$uk" "$A" +448712345678 "403 Call Class Barred"
expect_line "+1 is international: barred for 202" "$uk" "$A" +12125550100 "403 Call Class Barred"
expect_reason "+1 is international: the reason names the class" "$uk" "$A" +12125550100 "international"
expect_route "+1 for 201 ([outbound] allows international)" "$uk" "$R" +12125550100 302 "sip:+12125550100@gw.acme.example"
expect_route "+44 without an e164 trunk (Globex): 404" "$uk" "$G" +442079460000 404
expect_route "+44 without an e164 trunk (Initech): 404" "$uk" "$I" +442079460000 404
expect_route "+999 is not an emergency call (Globex, no e164 trunk: 404)" "$uk" "$G" +999 404
expect_route "+999 is not an emergency call (201: international over trunk 9)" "$uk" "$R" +999 302 "sip:+999@gw.acme.example"
expect_line "+999 is not an emergency call (202: international, barred)" "$uk" "$A" +999 "403 Call Class Barred"
expect_line "+44999 is not an emergency call (0999 starts with 09: premium, barred)" "$uk" "$A" +44999 "403 Call Class Barred"
expect_route "+44112 is not an emergency call (0112: national over trunk 9)" "$uk" "$A" +44112 302 "sip:+44112@gw.acme.example"
expect_route "+112 is not an emergency call (Globex: 404)" "$uk" "$G" +112 404
expect_route "US: +1 212 is national over the e164 trunk" "$us" "$H" +12125550100 302 "sip:+12125550100@gw.hooli.example"
expect_line "US: +1 900 is read as 1900...: premium, barred" "$us" "$H" +19005551234 "403 Call Class Barred"
expect_line "US: +44 is international, barred" "$us" "$H" +442079460000 "403 Call Class Barred"
expect_route "US: +911 is not an emergency call" "$us" "$H" +911 403

# ---------------------------------------------------------------------------------------------------
# On the wire (UDP, 127.0.0.1)
# ---------------------------------------------------------------------------------------------------
sip() {  # sip PORT METHOD RURI FROM: one request; prints "STATUS-LINE|CONTACT,CONTACT"
    python3 - "$@" <<'EOF'
import random, re, socket, sys
port, method, ruri, from_uri = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(2.0)
lport = s.getsockname()[1]
call_id = "%032x" % random.getrandbits(128)
aor = from_uri
lines = [
    f"{method} {ruri} SIP/2.0",
    f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK{random.getrandbits(64):016x};rport",
    "Max-Forwards: 70",
    f"From: <{from_uri}>;tag={random.getrandbits(32):08x}",
    f"To: <{aor if method == 'REGISTER' else ruri}>",
    f"Call-ID: {call_id}",
    f"CSeq: 1 {method}",
    f"Contact: <sip:caller@127.0.0.1:{lport}>",
]
if method == "REGISTER":
    lines.append("Expires: 60")
lines += ["Content-Length: 0", "", ""]
msg = "\r\n".join(lines).encode()
for attempt in range(3):
    s.sendto(msg, ("127.0.0.1", port))
    try:
        while True:
            data, _ = s.recvfrom(65535)
            text = data.decode("utf-8", "replace")
            if call_id in text and text.startswith("SIP/2.0"):
                break
        break
    except socket.timeout:
        data = None
if data is None:
    print("no answer|")
    sys.exit()
head = text.split("\r\n\r\n", 1)[0].split("\r\n")
contacts = []
for h in head[1:]:
    name, _, value = h.partition(":")
    if name.strip().lower() in ("contact", "m"):
        contacts += re.findall(r"<([^>]*)>", value) or [value.split(";")[0].strip()]
print(head[0] + "|" + ",".join(contacts))
EOF
}

if node_start uk "$uk"; then
    echo "PASS run: switchd serves the UK conf"
    lib_passed=$((lib_passed + 1))
    p=${node_port[uk]}
    E164="SIP/2.0 302 Moved Temporarily|sip:+442079460000@gw.acme.example"
    check "wire: INVITE tel:+44-20-7946-0000" "$(sip "$p" INVITE "tel:+44-20-7946-0000" "$A")" "$E164"
    check "wire: INVITE tel:+44(20)7946.0000" "$(sip "$p" INVITE "tel:+44(20)7946.0000" "$A")" "$E164"
    check "wire: INVITE sip:%2B442079460000@acme.example;user=phone" \
        "$(sip "$p" INVITE "sip:%2B442079460000@acme.example;user=phone" "$A")" "$E164"
    check "wire: INVITE sip:+442079460000@acme.example;user=phone" \
        "$(sip "$p" INVITE "sip:+442079460000@acme.example;user=phone" "$A")" "$E164"
    check "wire: OPTIONS tel:+44-20-7946-0000 gets what an INVITE would" \
        "$(sip "$p" OPTIONS "tel:+44-20-7946-0000" "$A")" "$E164"
    check "wire: INVITE tel: local number with phone-context (9-020-7946-0000)" \
        "$(sip "$p" INVITE "tel:9-020-7946-0000;phone-context=acme.example" "$A")" \
        "SIP/2.0 302 Moved Temporarily|sip:02079460000@gw.acme.example"
    check "wire: INVITE tel: local extension with phone-context (2-0-1)" \
        "$(sip "$p" INVITE "tel:2-0-1;phone-context=acme.example" "$A")" \
        "SIP/2.0 302 Moved Temporarily|sip:201@10.1.0.21:5060"
    check "wire: INVITE tel:999 with phone-context: emergency" \
        "$(sip "$p" INVITE "tel:999;phone-context=acme.example" "$A")" \
        "SIP/2.0 302 Moved Temporarily|sip:999@$EGW"
    check "wire: INVITE sip:999: 302 to the emergency gateway" \
        "$(sip "$p" INVITE "sip:999@acme.example" "$A")" "SIP/2.0 302 Moved Temporarily|sip:999@$EGW"
    check "wire: INVITE sip:9112 with Globex's host: emergency" \
        "$(sip "$p" INVITE "sip:9112@globex.example" "$A")" "SIP/2.0 302 Moved Temporarily|sip:112@$EGW"
    check "wire: INVITE sip:900... (international from 202): 403 Call Class Barred" \
        "$(sip "$p" INVITE "sip:900331234567@acme.example" "$A" | cut -d'|' -f1)" "SIP/2.0 403 Call Class Barred"
    check "wire: INVITE tel:+1-212-555-0100 from 202: 403 Call Class Barred" \
        "$(sip "$p" INVITE "tel:+1-212-555-0100" "$A" | cut -d'|' -f1)" "SIP/2.0 403 Call Class Barred"
    check "wire: INVITE tel:+1-212-555-0100 from 201 ([outbound])" \
        "$(sip "$p" INVITE "tel:+1-212-555-0100" "$R")" "SIP/2.0 302 Moved Temporarily|sip:+12125550100@gw.acme.example"
    check "wire: OPTIONS sip:909... (premium): 403 Call Class Barred" \
        "$(sip "$p" OPTIONS "sip:909098790000@acme.example" "$A" | cut -d'|' -f1)" "SIP/2.0 403 Call Class Barred"
    check "wire: INVITE tel:+999 is not an emergency call (Globex: 404)" \
        "$(sip "$p" INVITE "tel:+999" "$G" | cut -d'|' -f1)" "SIP/2.0 404 Not Found"
    check "wire: INVITE tel:+44... without an e164 trunk (Globex): 404" \
        "$(sip "$p" INVITE "tel:+44-20-7946-0000" "$G" | cut -d'|' -f1)" "SIP/2.0 404 Not Found"
    check "wire: REGISTER tel:+442079460000: 416" \
        "$(sip "$p" REGISTER "tel:+442079460000" "$A" | cut -d'|' -f1 | cut -d' ' -f1-2)" "SIP/2.0 416"
    check "wire: INVITE mailto: is still 416" \
        "$(sip "$p" INVITE "mailto:202@acme.example" "$A" | cut -d'|' -f1 | cut -d' ' -f1-2)" "SIP/2.0 416"
    node_stop uk TERM
    check "run: SIGTERM stops with status 0" "$node_status" "0"
else
    echo "FAIL run: switchd did not start on the UK conf"
    lib_failed=$((lib_failed + 1))
fi

lib_summary
