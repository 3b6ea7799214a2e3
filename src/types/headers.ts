/** Response headers as plain lower-cased name → value pairs. */
export type HeaderMap = Readonly<Record<string, string>>;
