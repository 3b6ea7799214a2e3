/**
 * Masks anything that looks like a credential in text that may reach logs, errors or the status page:
 * provider key prefixes (`sk-…`, `gsk_…`, `AIza…`, `sk-ant-…`, `xai-…`), bearer and basic
 * credentials, `key=` query parameters and URL passwords (`scheme://user:password@`). Upstream
 * error messages sometimes echo part of the key ("Incorrect API key provided: sk-ab**cd"). Values
 * without a known shape are masked by value by `SecretRedactor`.
 */
export function redactSecrets(text: string): string {
  let out = text
    .replace(/\b(Bearer|Basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]")
    .replace(
      /\b(sk-ant-|sk-proj-|sk-|gsk_|xai-|AIza|csk-|fw_|nvapi-)(?!\[redacted\])[A-Za-z0-9_*.-]{4,}(?!\[redacted\])/g,
      "$1[redacted]",
    );
  // Cheap guards: most text (every request log line) has neither a query value nor a userinfo.
  if (out.includes("=")) out = out.replace(/([?&](?:key|api[_-]?key|token)=)[^&\s"']+/gi, "$1[redacted]");
  if (out.includes("@"))
    out = out.replace(/(:\/\/[^\s:@/?#"'[\]]*:)(?!\[redacted\]@|\*+@)[^\s@/?#"']+@/g, "$1[redacted]@");
  return out;
}
