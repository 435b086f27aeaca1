# Source this before `pulumi up`: `source scripts/env.sh staging && pulumi up --stack staging`
# - installs the locked Python dependencies into .venv (Pulumi.yaml's toolchain uses the same venv)
# - keeps state in ./.pulumi-state (a file backend inside the checkout) unless PULUMI_BACKEND_URL is set
# - generates a passphrase for the stack's secrets once, in a file only you can read (never on a command line)
# - creates the stack if this checkout has none yet
_shipyard_stack="${1:-staging}"
_shipyard_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
command -v pulumi >/dev/null 2>&1 || { echo "install the Pulumi CLI first: https://www.pulumi.com/docs/install/" >&2; return 1 2>/dev/null || exit 1; }
command -v uv >/dev/null 2>&1 || python3 -m pip install -q "uv==0.13.9"
(cd "$_shipyard_root" && uv sync --frozen --all-extras --quiet)
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_shipyard_root/.pulumi-state}"
mkdir -p "$_shipyard_root/.pulumi-state"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  _shipyard_pass="$_shipyard_root/.pulumi-state/passphrase"
  [ -s "$_shipyard_pass" ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$_shipyard_pass")
  export PULUMI_CONFIG_PASSPHRASE_FILE="$_shipyard_pass"
fi
(cd "$_shipyard_root" && { pulumi stack select "$_shipyard_stack" 2>/dev/null || pulumi stack init "$_shipyard_stack"; })
cd "$_shipyard_root"
unset _shipyard_stack _shipyard_root _shipyard_pass
