import { Agent } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { classifyFailure } from "../../src/core/classify.js";
import { fetchImages } from "../../src/core/transport/fetch-images.js";
import { mapAnswer } from "../../src/core/transport/http-post.js";
import { serializeJson } from "../../src/core/transport/json-body.js";
import { mapOrUnsupported } from "../../src/core/transport/unsupported.js";
import { networkErrorFrom } from "../../src/core/transport/upstream-errors.js";
import {
  InvalidRequestError,
  UnsendableRequestError,
  UnsupportedRequestError,
  UpstreamNetworkError,
} from "../../src/errors/index.js";

const signal = new AbortController().signal;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("serializeJson: what cannot be serialised is the caller's, before any byte is sent", () => {
  const circular: Record<string, unknown> = {};
  circular["self"] = circular;
  it.each<[string, unknown, RegExp]>([
    ["a 5,000-deep array", JSON.parse("[".repeat(5000) + "]".repeat(5000)), /nested too deeply/],
    ["a circular object", circular, /circular/i],
    ["a BigInt", { n: 1n }, /BigInt/],
  ])("%s → UnsendableRequestError (400, local)", (_name, body, message) => {
    const error = thrown(() => serializeJson({ model: "m", body }, "p"));
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect((error as UnsendableRequestError).status).toBe(400);
    expect((error as Error).message).toMatch(message);
    expect(classifyFailure(error, 0).kind).toBe("local");
  });

  it("a normal body serialises as JSON.stringify does", () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(serializeJson(body)).toBe(JSON.stringify(body));
  });
});

describe("mapOrUnsupported: request mappers", () => {
  it("a feature the provider lacks stays unsupported (fails over, no health change)", () => {
    const error = thrown(() =>
      mapOrUnsupported("an-1", () => {
        throw new InvalidRequestError("n > 1 is not supported", { param: "n" });
      }),
    );
    expect(error).toBeInstanceOf(UnsupportedRequestError);
    expect(classifyFailure(error, 0).kind).toBe("unsupported");
  });

  it("a mapper that crashes on the input is the caller's unsendable request", () => {
    const error = thrown(() =>
      mapOrUnsupported("an-1", () => {
        throw new TypeError("Cannot read properties of null (reading 'role')");
      }),
    );
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect((error as Error).message).toMatch(/an-1: the request could not be translated/);
    expect(classifyFailure(error, 0).kind).toBe("local");
  });

  it("an unsendable request passes through unchanged", () => {
    const original = new UnsendableRequestError("too deep");
    expect(
      thrown(() =>
        mapOrUnsupported("p", () => {
          throw original;
        }),
      ),
    ).toBe(original);
  });
});

describe("mapAnswer: response mappers", () => {
  it("a mapper that throws on what the upstream sent makes it the upstream's failure (network)", () => {
    const error = thrown(() =>
      mapAnswer("ge-1", () => {
        throw new TypeError("Cannot read properties of undefined (reading 'parts')");
      }),
    );
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect(classifyFailure(error, 0)).toMatchObject({ kind: "network", code: "EBADBODY" });
  });

  it("the mapper's own errors (a blocked prompt's 400) pass through", () => {
    const blocked = new InvalidRequestError("The prompt was blocked");
    expect(
      thrown(() =>
        mapAnswer("ge-1", () => {
          throw blocked;
        }),
      ),
    ).toBe(blocked);
    expect(classifyFailure(blocked, 0).kind).toBe("bad_request");
  });
});

describe("networkErrorFrom", () => {
  it("options undici refuses before connecting are unsendable, not the network's", () => {
    const refused = Object.assign(new Error("invalid x-custom header"), { code: "UND_ERR_INVALID_ARG" });
    const error = networkErrorFrom(refused, signal, "p");
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect(classifyFailure(error, 0).kind).toBe("local");
  });

  it("a socket error stays the network's", () => {
    const reset = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    expect(classifyFailure(networkErrorFrom(reset, signal, "p"), 0)).toMatchObject({
      kind: "network",
      code: "UND_ERR_SOCKET",
    });
  });
});

describe("fetchImages: an image the caller linked that cannot be fetched", () => {
  const dispatcher = new Agent({ connectTimeout: 1_000 });
  afterAll(async () => {
    await dispatcher.close();
  });

  it.each([
    [
      "unreachable",
      "https://127.0.0.1:1/cat.png",
      /Could not download image https:\/\/127\.0\.0\.1:1\/cat\.png/,
    ],
    ["not a URL", "https://exa mple.com/cat.png", /not a valid URL/],
  ])("%s → UnsendableRequestError (local)", async (_name, url, message) => {
    const error = await fetchImages(dispatcher, [url], signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsendableRequestError);
    expect((error as Error).message).toMatch(message);
    expect(classifyFailure(error, 0).kind).toBe("local");
  });
});
