# Shared by tests/db/postgresql and tests/db/mariadb (sourced, not run).

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# A port on 127.0.0.1 that nothing listens on right now, chosen at random
# below the kernel's ephemeral range so outgoing connections do not take it.
# Another process can still grab it before the server binds: callers retry.
pick_port() {
    local port tries=0
    while [ $tries -lt 200 ]; do
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}

# A password for the throwaway server: no characters that need quoting in
# an ODBC connection string or in SQL.
make_password() {
    printf 'pw%s' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
}

# Waits up to $2 seconds for pid $1 to exit; 0 when it did.
wait_exit() {
    local pid=$1 n=$(($2 * 10))
    while [ $n -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        n=$((n - 1))
    done
    ! kill -0 "$pid" 2>/dev/null
}
