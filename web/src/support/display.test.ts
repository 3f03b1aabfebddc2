import { describe, expect, it } from "vitest";
import {
	forgetToken,
	hourOf,
	type KeptToken,
	keepToken,
	readKeptTokens,
	statusText,
	TOKEN_STORAGE_KEY,
	tokenFor,
} from "./display";

function memoryStorage(initial?: string) {
	const items = new Map<string, string>(initial === undefined ? [] : [[TOKEN_STORAGE_KEY, initial]]);
	return {
		getItem: (key: string) => items.get(key) ?? null,
		setItem: (key: string, value: string) => void items.set(key, value),
		items,
	};
}

const kept = (id: string, token = `token-${id}`): KeptToken => ({
	request_id: id,
	token,
	title: `Request ${id}`,
	kept_at: "2026-12-05T06:00:00.000Z",
});

describe("the tokens this device keeps", () => {
	it("keeps, finds, replaces and forgets a request's token, newest first", () => {
		const storage = memoryStorage();
		expect(keepToken(storage, kept("a"))).toBe(true);
		keepToken(storage, kept("b"));
		expect(readKeptTokens(storage).map((each) => each.request_id)).toEqual(["b", "a"]);
		keepToken(storage, kept("a", "new"));
		expect(readKeptTokens(storage).map((each) => each.request_id)).toEqual(["a", "b"]);
		expect(tokenFor(storage, "a")).toBe("new");
		forgetToken(storage, "a");
		expect(tokenFor(storage, "a")).toBeUndefined();
		expect(readKeptTokens(storage)).toHaveLength(1);
	});

	it("ignores what it cannot read instead of failing", () => {
		expect(readKeptTokens(memoryStorage("{not json"))).toEqual([]);
		expect(readKeptTokens(memoryStorage('{"a":1}'))).toEqual([]);
		expect(readKeptTokens(memoryStorage(JSON.stringify([{ request_id: 1 }, kept("ok")])))).toEqual([
			kept("ok"),
		]);
		expect(readKeptTokens(undefined)).toEqual([]);
	});

	it("says when storage refuses to keep a token (a full or private-mode storage)", () => {
		const full = {
			getItem: () => null,
			setItem: () => {
				throw new Error("QuotaExceededError");
			},
		};
		expect(keepToken(full, kept("a"))).toBe(false);
		expect(keepToken(undefined, kept("a"))).toBe(false);
	});

	it("dates nothing finer than the hour", () => {
		expect(hourOf(new Date("2026-12-05T06:41:12.345Z"))).toBe("2026-12-05T06:00:00.000Z");
	});
});

describe("statusText", () => {
	it("names the state calmly, counting responses", () => {
		const base = { response_count: 0, pending_review: false };
		expect(statusText({ ...base, status: "open" })).toBe("Waiting for a response");
		expect(statusText({ ...base, status: "responded", response_count: 1 })).toBe("1 response");
		expect(statusText({ ...base, status: "responded", response_count: 3 })).toBe("3 responses");
		expect(statusText({ ...base, status: "closed", pending_review: true })).toMatch(/guardian/);
	});
});
