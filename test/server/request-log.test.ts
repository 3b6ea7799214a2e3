import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import {
  decorateRequestNotes,
  existingNote,
  noteOf,
  type RequestNote,
} from "../../src/server/request-log.js";

describe("request notes", () => {
  it("has no note until a route makes one, then the same note for the request", async () => {
    const app = Fastify();
    decorateRequestNotes(app);
    const seen: Array<RequestNote | undefined> = [];
    app.get("/x", (request, reply) => {
      seen.push(existingNote(request));
      const note = noteOf(request);
      note.model = "m";
      seen.push(noteOf(request), existingNote(request));
      return reply.send("ok");
    });
    await app.inject({ method: "GET", url: "/x" });
    await app.inject({ method: "GET", url: "/x" });
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toBe(seen[2]);
    expect(seen[1]).toMatchObject({
      model: "m",
      deployment: null,
      attempts: 0,
      stream: false,
      errorCode: null,
    });
    expect(seen[1]?.requestId).toMatch(/\S/);
    // A new request starts without a note of its own.
    expect(seen[3]).toBeUndefined();
    expect(seen[4]).not.toBe(seen[1]);
    await app.close();
  });
});
