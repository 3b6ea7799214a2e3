/**
 * A request the HTTP shell refuses before any route runs (body too large, too slow, too deeply
 * nested, malformed framing): its status, the OpenAI error `code`, and whether the connection must
 * be closed after the answer (the client may still be sending).
 */
export class GatewayHttpError extends Error {
  readonly statusCode: number;
  readonly openAICode: string | null;
  readonly closeConnection: boolean;

  constructor(
    statusCode: number,
    message: string,
    options: { code?: string | null; closeConnection?: boolean } = {},
  ) {
    super(message);
    this.name = "GatewayHttpError";
    this.statusCode = statusCode;
    this.openAICode = options.code ?? null;
    this.closeConnection = options.closeConnection ?? false;
  }
}
