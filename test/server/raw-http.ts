import { connect, type Socket } from "node:net";

/** What came back on a raw connection. */
export interface RawAnswer {
  /** Everything received. */
  text: string;
  /** The server closed the connection (within the wait). */
  closed: boolean;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits a raw HTTP/1.1 answer into status, headers and body. */
export function parseAnswer(text: string, closed: boolean): RawAnswer {
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    text,
    closed,
    status: Number(statusLine.split(" ")[1] ?? 0),
    headers,
    body: split < 0 ? "" : text.slice(split + 4),
  };
}

/** Opens a connection to 127.0.0.1:`port`. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Whether `text` holds a whole answer with a `content-length`. */
function complete(text: string): boolean {
  const answer = parseAnswer(text, false);
  const length = Number(answer.headers["content-length"]);
  return text.includes("\r\n\r\n") && Number.isFinite(length) && Buffer.byteLength(answer.body) >= length;
}

/**
 * Collects what the server sends on `socket` until it closes the connection, or `waitMs` passes
 * (then `closed` is false and the socket is destroyed). With `stopWhenComplete`, a whole answer
 * ends the wait too (`closed` false: the connection is kept alive).
 */
export function answerOf(socket: Socket, waitMs = 5000, stopWhenComplete = false): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (stopWhenComplete && complete(text)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parseAnswer(text, false));
      }
    });
    socket.on("error", () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(parseAnswer(text, false));
    }, waitMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(parseAnswer(text, true));
    });
  });
}

/** Sends `request` as is on a new connection and collects the answer. */
export async function rawExchange(port: number, request: string | Buffer, waitMs = 5000): Promise<RawAnswer> {
  const socket = await open(port);
  const answer = answerOf(socket, waitMs);
  socket.write(request);
  return answer;
}

/** Request headers of a JSON POST to the chat route, announcing `length` body bytes. */
export function chatHead(length: number): string {
  return (
    "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" +
    `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`
  );
}
