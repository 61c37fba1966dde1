#!/bin/sh
# Start Redis with the ACL file, the password's SHA-256 filled in from the environment, so no
# password (or hash of one) is kept in the repository or the image.
#   TIJDLIJN_REDIS_PASSWORD  the password of the "tijdlijn" user (required)
#   REDIS_CONF_DIR           where redis.conf and users.acl are (/usr/local/etc/redis)
#   REDIS_ACL_OUT            where the filled-in ACL file goes (/tmp/users.acl, a tmpfs)
# Extra arguments go to redis-server (the tests use them to pick a port).
set -eu
: "${TIJDLIJN_REDIS_PASSWORD:?set TIJDLIJN_REDIS_PASSWORD (see docs/privacy.md)}"
conf_dir="${REDIS_CONF_DIR:-/usr/local/etc/redis}"
acl_out="${REDIS_ACL_OUT:-/tmp/users.acl}"
hash="$(printf '%s' "$TIJDLIJN_REDIS_PASSWORD" | sha256sum | cut -d' ' -f1)"
umask 077
sed "s/__TIJDLIJN_REDIS_PASSWORD_SHA256__/$hash/" "$conf_dir/users.acl" > "$acl_out"
exec redis-server "$conf_dir/redis.conf" --aclfile "$acl_out" "$@"
