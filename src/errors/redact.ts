/**
 * Masks anything that looks like a credential in text that may reach logs, errors or the status page:
 * provider key prefixes (`sk-…`, `gsk_…`, `AIza…`, `sk-ant-…`, `xai-…`), bearer tokens and `key=` query
 * parameters. Upstream error messages sometimes echo part of the key ("Incorrect API key provided: sk-ab**cd").
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]")
    .replace(/([?&](?:key|api[_-]?key|token)=)[^&\s"']+/gi, "$1[redacted]")
    .replace(
      /\b(sk-ant-|sk-proj-|sk-|gsk_|xai-|AIza|csk-|fw_|nvapi-)(?!\[redacted\])[A-Za-z0-9_*.-]{4,}(?!\[redacted\])/g,
      "$1[redacted]",
    );
}
