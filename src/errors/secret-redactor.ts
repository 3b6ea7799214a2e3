import { redactSecrets } from "./redact.js";

/**
 * Where the configured credentials are: provider keys, header values and base URLs, gateway keys
 * and the Redis URL. A compiled `GatewayConfig` satisfies it.
 */
export interface SecretSources {
  providers: readonly {
    apiKey: string;
    baseUrl: string | null;
    headers: Readonly<Record<string, string>>;
  }[];
  server: { auth: { keys: readonly string[] } };
  state: { redis: { url: string } | null };
}

/**
 * Values shorter than this are not masked by value: they are too short to be a credential
 * (`ollama`, `EMPTY`, `1`) and masking them would garble ordinary words, ids and numbers.
 */
export const minimumSecretLength = 8;

const mask = "[redacted]";

/** `user` and `password` of a URL's userinfo (`scheme://user:password@host`), percent-encoded as written. */
function userinfoOf(url: string): { user: string; password: string } | null {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^@/?#]*)@/.exec(url);
  const userinfo = match?.[1];
  if (userinfo === undefined || userinfo === "") return null;
  const colon = userinfo.indexOf(":");
  return colon < 0
    ? { user: userinfo, password: "" }
    : { user: userinfo.slice(0, colon), password: userinfo.slice(colon + 1) };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A secret and the forms it is likely to appear in: as is, URL-encoded, JSON-escaped and base64. */
function formsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, "utf8").toString("base64"),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Masks credentials by value wherever text leaves the gateway (HTTP error bodies, in-band stream
 * errors, `/status`, `/metrics`, log lines, `llmux check`): every configured secret, in the forms
 * it travels in (URL-encoded, JSON-escaped, base64, and base64 `user:password` as in Basic auth),
 * becomes `[redacted]`; then the known key shapes (`sk-…`, `Bearer …`, `key=…`, URL passwords) are
 * masked as {@link redactSecrets} does. One regular expression over all the values: one pass per text.
 */
export class SecretRedactor {
  #pattern: RegExp | null = null;
  readonly #forms = new Set<string>();

  /** Builds a redactor over the given secret values (blank and short ones are ignored). */
  constructor(secrets: Iterable<string>) {
    for (const secret of secrets) {
      if (secret.length < minimumSecretLength) continue;
      for (const form of formsOf(secret)) if (form.length >= minimumSecretLength) this.#forms.add(form);
    }
    this.#compile();
  }

  #compile(): void {
    // Longest first, so a secret that contains another is masked whole.
    const alternatives = [...this.#forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#pattern = alternatives.length === 0 ? null : new RegExp(alternatives.join("|"), "g");
  }

  /** How many distinct forms are masked by value. */
  get size(): number {
    return this.#forms.size;
  }

  /**
   * Masks `other`'s secrets too from now on (a config reload brings new keys; the old ones stay
   * masked, since requests still running on the old plan may echo them).
   */
  extend(other: SecretRedactor): void {
    for (const form of other.#forms) this.#forms.add(form);
    this.#compile();
  }

  /** Every credential of a compiled config (provider keys and headers, URL credentials, gateway keys, Redis). */
  static fromConfig(config: SecretSources): SecretRedactor {
    const secrets: string[] = [...config.server.auth.keys];
    const urls: string[] = [];
    for (const provider of config.providers) {
      secrets.push(provider.apiKey, ...Object.values(provider.headers));
      if (provider.baseUrl !== null) urls.push(provider.baseUrl);
    }
    if (config.state.redis) urls.push(config.state.redis.url);
    for (const url of urls) {
      const userinfo = userinfoOf(url);
      if (!userinfo) continue;
      const user = decoded(userinfo.user);
      const password = decoded(userinfo.password);
      secrets.push(userinfo.user, userinfo.password, user, password);
      secrets.push(Buffer.from(`${user}:${password}`, "utf8").toString("base64"));
    }
    return new SecretRedactor(secrets);
  }

  /** A redactor that masks the known key shapes only (no configured values). */
  static shapesOnly(): SecretRedactor {
    return new SecretRedactor([]);
  }

  /** The text with every configured secret and every known key shape masked. */
  redact(text: string): string {
    const byValue = this.#pattern === null ? text : text.replace(this.#pattern, mask);
    return redactSecrets(byValue);
  }
}
