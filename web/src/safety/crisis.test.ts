import { describe, expect, it } from "vitest";
import { telHref } from "./crisis";

describe("telHref", () => {
	it("keeps the digits and a leading +, as a dialler wants them", () => {
		expect(telHref("116 123")).toBe("tel:116123");
		expect(telHref("988")).toBe("tel:988");
		expect(telHref("+44 (0) 800-111")).toBe("tel:+440800111");
		expect(telHref("+44 (0)20 7946 0000")).toBe("tel:+4402079460000");
	});

	it("gives no link for a number with no digits", () => {
		expect(telHref("  ")).toBeNull();
		expect(telHref("text HOME")).toBeNull();
	});
});
