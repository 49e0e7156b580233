"""Security plumbing shared by every service; see README.md beside this file.

Modules, each imported on its own (this package imports nothing, so the logging
set-up can load `redaction` without pulling in the web stack):

- `callers`: `Caller`, `Rol`, `CallerKind`
- `apikeys`: API keys for systems, with a command line
- `oidc`: OpenID Connect bearer tokens for people
- `dependencies`: `authenticated_caller`, `require_roles`, `ensure_school`
- `limits`: body size limit and rate limit middleware
- `redaction`: the log filter that masks BSNs and secrets
- `access`, `audit`, `audit_trail`, `audit_api`: the audit trail
- `crypto`, `sleutelkluis`: the event cipher, the BSN hash, crypto-shredding
- `settings`: `SecuritySettings`
"""
