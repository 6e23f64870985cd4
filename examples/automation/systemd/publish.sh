#!/bin/sh
# Fetch the nightly record exports and rebuild the performance release.
# Run by civicmetrics-publish.service; every setting comes from its environment.
set -eu

: "${SOURCE:?the source tree}" "${OUT:?the release directory the web server serves}"
: "${RECORDS_BASE_URL:?where the exports are downloaded from}" "${SITE_URL:?where OUT is served}"

mkdir -p "$SOURCE/raw"
for file in service-requests.csv.gz dispatch-events.csv.gz emergency-calls.csv.gz \
            fire-responses.ndjson.gz permit-applications.ndjson.gz; do
    # Downloaded beside the file, then renamed over it: a failed or cut-off download stops the
    # script (curl exits non-zero) with the previous export in place and OUT untouched.
    # --time-cond asks the server for the file only when it changed since the copy we hold.
    if [ -e "$SOURCE/raw/$file" ]; then
        since="--time-cond $SOURCE/raw/$file"
    else
        since=""
    fi
    # shellcheck disable=SC2086
    curl --fail --silent --show-error --location --retry 3 --max-time 600 $since \
        --output "$SOURCE/raw/$file.part" "$RECORDS_BASE_URL/$file"
    if [ -s "$SOURCE/raw/$file.part" ]; then
        mv "$SOURCE/raw/$file.part" "$SOURCE/raw/$file"
    else
        rm -f "$SOURCE/raw/$file.part"   # 304 Not Modified: nothing new
    fi
done

# Validates first; on any problem OUT is left exactly as it was and the unit fails.
exec civicmetrics build "$SOURCE" --out "$OUT" --base-url "$SITE_URL" \
    --memory-limit "${MEMORY_LIMIT:-1GiB}"
