import { describe, expect, it } from "vitest";
import { disablePretenuring } from "../../src/cli/heap-tuning.js";

describe("disablePretenuring (V8 allocation-site pretenuring off in the gateway's process)", () => {
  it("changes the flag unless the command line chose", () => {
    expect(disablePretenuring(["--no-allocation-site-pretenuring"])).toBe(false);
    expect(disablePretenuring(["--allocation-site-pretenuring", "--max-old-space-size=512"])).toBe(false);
    expect(disablePretenuring(["--max-old-space-size=512"])).toBe(true);
    expect(disablePretenuring([])).toBe(true);
  });
});
