# Install Debian packages the project's commands need, when they are missing and
# this machine can install them (root, or password-less sudo). Sourced, not run.

# ensure_debian_packages PACKAGE... : installs the packages not yet installed; never fails the caller.
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "hjeval: cannot install ${missing[*]} (not root); the steps that need them will say so" >&2
            return 0
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "hjeval: no apt-get to install ${missing[*]}; the steps that need them will say so" >&2
        return 0
    fi
    echo "hjeval: installing Debian packages ${missing[*]}" >&2
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"; } >/dev/null 2>&1 \
        || echo "hjeval: installing ${missing[*]} failed; the steps that need them will say so" >&2
    return 0
}
