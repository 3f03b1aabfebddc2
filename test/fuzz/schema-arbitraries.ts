/**
 * fast-check arbitraries derived from the JSON Schemas of the OpenAPI document (the subset our zod
 * schemas produce: object/array/string/integer/number/boolean, nullable types, enum, format, pattern,
 * length, range and item bounds, `$ref`, and `anyOf`/`oneOf`/`allOf` as a fallback).
 *
 * Two families:
 * - `validish(schema)`: values that satisfy the schema (business rules may still refuse them), so a case
 *   reaches the handler and its database work.
 * - `hostile(schema)`: values built to hurt — wrong types, huge strings, odd unicode, nulls, deep nesting,
 *   unknown fields, out-of-range numbers, malformed UUIDs and dates, arrays past their bounds. Each sample
 *   says whether it certainly breaks the schema (`violates`), so a test can demand a 4xx for it.
 */
import fc from "fast-check";

export interface JsonSchema {
	type?: string | string[];
	enum?: unknown[];
	format?: string;
	pattern?: string;
	minLength?: number;
	maxLength?: number;
	minimum?: number;
	maximum?: number;
	items?: JsonSchema;
	minItems?: number;
	maxItems?: number;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	additionalProperties?: boolean | JsonSchema;
	$ref?: string;
	anyOf?: JsonSchema[];
	oneOf?: JsonSchema[];
	allOf?: JsonSchema[];
	default?: unknown;
}

/** A generated value, and whether it certainly breaks its schema (so the API must refuse it). */
export interface Sample {
	value: unknown;
	violates: boolean;
}

export interface SchemaContext {
	/** `#/components/schemas/X` → the schema. */
	resolve(ref: string): JsonSchema;
	/** Ids that exist (users, posts, …) worth sending for a field or parameter of this name. */
	idsFor(name: string): string[];
}

/** Largest string the fuzzer builds: bodies past 64 KiB are the body-limit test's business. */
const MAX_GENERATED_CHARS = 20_000;

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Strings that have broken parsers, databases and renderers before. None is valid-looking as a UUID. */
export const NASTY_STRINGS = [
	"",
	" ",
	"\u0000",
	"null",
	"undefined",
	"NaN",
	"-1",
	"1e309",
	"0x10",
	"true",
	"[]",
	"{}",
	"'; DROP TABLE users; --",
	'" OR 1=1 --',
	"%",
	"%00",
	"%2e%2e%2f",
	"../../etc/passwd",
	"<script>alert(1)</script>",
	"$" + "{7*7}",
	"{{7*7}}",
	"\u202eevil\u202c",
	"\u200b\u200c\u200d\ufeff",
	"\ud800",
	"\udfff\ud800",
	"😀🏳️‍🌈👩‍👩‍👧‍👦",
	"Ｚ̵̡̢̛̗̘̙̜̝̞̟̠̀́̂̃̄̅̆̇̉̊̋̌̍̎̏̐̑̒̓̔̕̚",
	"ﷺ",
	"\r\n\r\nX-Injected: 1",
	"a\u0000b",
	"\\",
	"/",
	"?",
	"#",
];

const MALFORMED_UUIDS = [
	"not-a-uuid",
	"00000000-0000-0000-0000-00000000000",
	"00000000-0000-0000-0000-0000000000000",
	"0000000g-0000-0000-0000-000000000000",
	"0190a1b2c3d47e8f9a0b1c2d3e4f5a6b",
	"{0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b}",
	"0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b-extra",
	"0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6😀",
	"1",
	"-1",
	"' OR ''='",
];

const TIME_ZONES = [
	"UTC",
	"Europe/London",
	"America/New_York",
	"Pacific/Kiritimati",
	"Pacific/Pago_Pago",
	"Asia/Kolkata",
];

const typesOf = (schema: JsonSchema): string[] =>
	schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];

const DAY_MS = 86_400_000;
const isoDate = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

export class SchemaArbitraries {
	constructor(private readonly ctx: SchemaContext) {}

	deref(schema: JsonSchema): JsonSchema {
		let current = schema;
		for (let hops = 0; current.$ref && hops < 10; hops++) current = this.ctx.resolve(current.$ref);
		if (current.allOf) {
			// Merge the parts (the shapes our documents use: one object extending another).
			const merged: JsonSchema = { properties: {}, required: [] };
			for (const part of current.allOf.map((piece) => this.deref(piece))) {
				Object.assign(merged, { ...part, properties: merged.properties, required: merged.required });
				Object.assign(merged.properties as object, part.properties);
				merged.required?.push(...(part.required ?? []));
			}
			return merged;
		}
		return current;
	}

	// ------------------------------------------------------------------ values that fit

	/** A value that satisfies `schema` (field `name` may pick known ids and sensible time zones). */
	validish(input: JsonSchema, name = ""): fc.Arbitrary<unknown> {
		const schema = this.deref(input);
		if (schema.enum) return fc.constantFrom(...schema.enum);
		const variants = schema.anyOf ?? schema.oneOf;
		if (variants) return fc.oneof(...variants.map((variant) => this.validish(variant, name)));
		const types = typesOf(schema);
		if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
		const concrete = types.filter((type) => type !== "null");
		const arbs = concrete.map((type) => this.validishOfType(type, schema, name));
		if (types.includes("null")) arbs.push(fc.constant(null));
		return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbs);
	}

	private validishOfType(type: string, schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
		switch (type) {
			case "string":
				return this.validString(schema, name);
			case "integer": {
				const min = schema.minimum ?? -1_000;
				const max = schema.maximum ?? 1_000_000;
				return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
			}
			case "number":
				return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
			case "boolean":
				return fc.boolean();
			case "array": {
				const items = schema.items ?? {};
				const minLength = schema.minItems ?? 0;
				const maxLength = Math.min(schema.maxItems ?? 5, 50);
				return fc.oneof(
					fc.array(this.validish(items, name), { minLength, maxLength }),
					// At the maximum: the bulk edge.
					fc.array(this.validish(items, name), { minLength: maxLength, maxLength }),
				);
			}
			case "object":
				return this.validObject(schema);
			default:
				return fc.constant(null);
		}
	}

	private validObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
		const properties = schema.properties ?? {};
		const model: Record<string, fc.Arbitrary<unknown>> = {};
		for (const [key, property] of Object.entries(properties)) model[key] = this.validish(property, key);
		return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
	}

	private validString(schema: JsonSchema, name: string): fc.Arbitrary<string> {
		const min = schema.minLength ?? 0;
		const max = Math.min(schema.maxLength ?? 200, MAX_GENERATED_CHARS);
		switch (schema.format) {
			case "uuid": {
				const known = this.ctx.idsFor(name);
				const random = fc.uuid({ version: [4, 7] });
				return known.length > 0
					? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, random)
					: random;
			}
			case "date":
				return fc.oneof(
					fc.integer({ min: -10, max: 3 }).map(isoDate),
					fc
						.date({ min: new Date("1900-01-01"), max: new Date("2200-12-31"), noInvalidDate: true })
						.map((date) => date.toISOString().slice(0, 10)),
				);
			case "date-time":
				return fc
					.integer({ min: -60 * 24 * 60, max: 90 * 24 * 60 })
					.map((minutes) => new Date(Date.now() + minutes * 60_000).toISOString());
			case "uri":
				return fc.oneof(
					fc.constantFrom(
						"https://images.example/photo.jpg",
						"https://meet.example/room/42",
						"https://example.org/a?b=c#d",
					),
					fc.webUrl({ validSchemes: ["https"] }).filter((url) => url.length <= max),
				);
		}
		if (schema.pattern) {
			const pattern = new RegExp(schema.pattern);
			return fc.stringMatching(pattern).filter((text) => text.length >= min && text.length <= max);
		}
		if (name === "timezone") return fc.constantFrom(...TIME_ZONES);
		const words = fc
			.array(
				fc.constantFrom("calm", "walk", "grateful", "today", "friends", "hope", "garden", "☀️", "ünïcödé"),
				{
					minLength: 1,
					maxLength: 12,
				},
			)
			.map((parts) => parts.join(" "));
		return fc
			.oneof(
				{ weight: 3, arbitrary: words },
				{
					weight: 2,
					arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 80), unit: "grapheme" }),
				},
				{ weight: 1, arbitrary: fc.constantFrom("x".repeat(Math.max(min, 1)), "y".repeat(max)) },
			)
			.map((text) => (text.length > max ? text.slice(0, max) : text))
			.filter((text) => text.trim().length >= min && text.length <= max);
	}

	// ------------------------------------------------------------------ values that hurt

	/** A hostile value for `schema`, tagged with whether it certainly breaks it. */
	hostile(input: JsonSchema, name = "", depth = 0): fc.Arbitrary<Sample> {
		const schema = this.deref(input);
		const options: Array<fc.Arbitrary<Sample>> = [this.wrongType(schema), this.oddButPossiblyValid(schema)];
		if (depth < 2) options.push(this.deepNesting(schema));
		if (schema.enum) options.push(this.notInEnum(schema));
		const types = typesOf(schema);
		if (types.includes("string") && !schema.enum) options.push(...this.hostileStrings(schema));
		if (types.includes("integer") || types.includes("number")) options.push(this.outOfRange(schema, types));
		if (types.includes("array")) options.push(...this.hostileArrays(schema, name, depth));
		if (types.includes("object")) options.push(...this.hostileObjects(schema, depth));
		return fc.oneof(...options);
	}

	/** A body for an object schema: valid-ish, or valid-ish with one field made hostile, or hostile outright. */
	body(input: JsonSchema): fc.Arbitrary<Sample> {
		const schema = this.deref(input);
		const valid = this.validish(schema).map((value) => ({ value, violates: false }));
		return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 5, arbitrary: this.hostile(schema) });
	}

	/** Any JSON value whose type the schema does not allow. */
	private wrongType(schema: JsonSchema): fc.Arbitrary<Sample> {
		const allowed = new Set(typesOf(schema));
		if (allowed.size === 0) return fc.constant({ value: undefined, violates: false });
		if (allowed.has("integer")) allowed.add("number-int");
		const candidates: Array<[string, fc.Arbitrary<unknown>]> = [
			["string", fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 20 }))],
			["number", fc.double({ noNaN: true, noDefaultInfinity: true })],
			["number-int", fc.integer()],
			["boolean", fc.boolean()],
			["null", fc.constant(null)],
			["array", fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })],
			["object", fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })],
		];
		const wrong = candidates.filter(([type]) => {
			if (type === "number-int") return !allowed.has("integer") && !allowed.has("number");
			if (type === "number") return !allowed.has("number") && !allowed.has("integer");
			return !allowed.has(type);
		});
		// An integer type accepts whole doubles: only non-integers are certainly wrong.
		return fc.oneof(
			...wrong.map(([type, arb]) =>
				(type === "number" && allowed.has("integer") ? arb.filter((n) => !Number.isInteger(n)) : arb).map(
					(value) => ({ value, violates: true }),
				),
			),
		);
	}

	/** Legal-looking but unusual values: nasty strings, zero, boundaries. Not tagged. */
	private oddButPossiblyValid(schema: JsonSchema): fc.Arbitrary<Sample> {
		const types = typesOf(schema);
		const values: unknown[] = [...NASTY_STRINGS, 0, -0, 1, true, false];
		if (types.includes("null")) values.push(null);
		return fc
			.constantFrom(...values)
			.map((value) => ({ value, violates: this.certainlyBreaks(schema, value) }));
	}

	/** Arrays or objects nested hundreds deep where the schema wants something flat. */
	private deepNesting(schema: JsonSchema): fc.Arbitrary<Sample> {
		const types = typesOf(schema);
		return fc.tuple(fc.integer({ min: 20, max: 2_000 }), fc.boolean()).map(([levels, arrays]) => {
			let value: unknown = "deep";
			for (let i = 0; i < levels; i++) value = arrays ? [value] : { nested: value };
			const breaks = arrays ? !types.includes("array") : !types.includes("object");
			return { value, violates: types.length > 0 && breaks };
		});
	}

	private notInEnum(schema: JsonSchema): fc.Arbitrary<Sample> {
		const allowed = new Set(schema.enum);
		const first = String(schema.enum?.find((value) => typeof value === "string") ?? "x");
		return fc
			.oneof(
				fc.constantFrom(
					first.toUpperCase(),
					` ${first}`,
					`${first}\u0000`,
					`${first}s`,
					"",
					"*",
					"__proto__",
				),
				fc.string({ maxLength: 12 }),
			)
			.filter((value) => !allowed.has(value))
			.map((value) => ({ value, violates: true }));
	}

	private hostileStrings(schema: JsonSchema): Array<fc.Arbitrary<Sample>> {
		const out: Array<fc.Arbitrary<Sample>> = [];
		const max = schema.maxLength;
		if (max !== undefined) {
			// Past the limit, in plain ASCII, in two-byte letters and in astral emoji. Lengths count code points,
			// as JSON Schema and zod do (an emoji is one character, not two UTF-16 units).
			out.push(
				fc
					.tuple(
						fc.integer({ min: max + 1, max: Math.min(max * 3 + 10, MAX_GENERATED_CHARS) }),
						fc.constantFrom("x", "é", "😀"),
					)
					.map(([length, unit]) => ({ value: unit.repeat(length), violates: true })),
			);
		}
		const min = schema.minLength ?? 0;
		if (min > 0) out.push(fc.constant({ value: "a".repeat(min - 1), violates: true }));
		switch (schema.format) {
			case "uuid":
				out.push(fc.constantFrom(...MALFORMED_UUIDS).map((value) => ({ value, violates: true })));
				out.push(
					fc.uuid().map((value) => ({ value: value.toUpperCase(), violates: false })),
					fc.constant({ value: "00000000-0000-0000-0000-000000000000", violates: false }),
				);
				break;
			case "date":
				out.push(
					fc
						.constantFrom(
							"2026-13-01",
							"2026-00-10",
							"26-01-01",
							"2026/01/01",
							"yesterday",
							"2026-01-01T00:00:00Z",
						)
						.map((value) => ({ value, violates: true })),
					// Impossible calendar days and far-away years: the API must answer them with a 4xx or a 2xx, never crash.
					fc
						.constantFrom("2026-02-30", "2025-02-29", "0000-01-01", "9999-12-31", "1900-01-01")
						.map((value) => ({ value, violates: false })),
				);
				break;
			case "date-time":
				out.push(
					fc
						.constantFrom("not a date", "2026-01-01", "2026-01-01T25:00:00Z", "2026-13-01T00:00:00Z", "1e12")
						.map((value) => ({ value, violates: true })),
					fc
						.constantFrom("0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z")
						.map((value) => ({ value, violates: false })),
				);
				break;
			case "uri":
				out.push(
					fc
						.constantFrom("not a url", "://", "https//missing-colon")
						.map((value) => ({ value, violates: true })),
					fc
						.constantFrom(
							"javascript:alert(1)",
							"http://insecure.example/x.jpg",
							"data:text/html,<script>alert(1)</script>",
							"file:///etc/passwd",
							"https://127.0.0.1/admin",
							"https://[::1]/",
							`https://example.org/${"a/".repeat(200)}`,
						)
						.map((value) => ({ value, violates: false })),
				);
				break;
		}
		if (schema.pattern) {
			const pattern = new RegExp(schema.pattern);
			out.push(
				fc
					.oneof(
						fc.constantFrom("25:00", "7:30", "a b", "x".repeat(65), "é", ""),
						fc.string({ maxLength: 70 }),
					)
					.map((value) => ({ value, violates: !pattern.test(value) })),
			);
		}
		out.push(
			fc
				.string({ unit: "binary", maxLength: 64 })
				.map((value) => ({ value, violates: this.certainlyBreaks(schema, value) })),
		);
		return out;
	}

	private outOfRange(schema: JsonSchema, types: string[]): fc.Arbitrary<Sample> {
		const options: Array<fc.Arbitrary<Sample>> = [];
		if (schema.minimum !== undefined) {
			const min = schema.minimum;
			options.push(
				fc.constantFrom(min - 1, min - 1_000, -(2 ** 53), -1e308).map((value) => ({ value, violates: true })),
			);
		}
		if (schema.maximum !== undefined) {
			const max = schema.maximum;
			options.push(
				fc
					.constantFrom(max + 1, max * 10 + 1, 2 ** 53 + 2, 1e308)
					.map((value) => ({ value, violates: true })),
			);
		}
		if (types.includes("integer") && !types.includes("number")) {
			options.push(fc.constantFrom(1.5, 0.000001, -2.5).map((value) => ({ value, violates: true })));
		}
		options.push(
			fc
				.constantFrom(2 ** 31, 2 ** 53, -(2 ** 31), 0)
				.map((value) => ({ value, violates: this.certainlyBreaks(schema, value) })),
		);
		return fc.oneof(...options);
	}

	private hostileArrays(schema: JsonSchema, name: string, depth: number): Array<fc.Arbitrary<Sample>> {
		const items = this.deref(schema.items ?? {});
		const max = schema.maxItems;
		const out: Array<fc.Arbitrary<Sample>> = [];
		if (max !== undefined) {
			out.push(
				fc
					.array(this.validish(items, name), { minLength: max + 1, maxLength: max + 20 })
					.map((value) => ({ value, violates: true })),
				// Far past the limit: thousands of items (a bulk insert must never reach D1 unbounded).
				fc
					.integer({ min: 500, max: 3_000 })
					.chain((length) =>
						this.validish(items, name).map((item) => ({ value: Array(length).fill(item), violates: true })),
					),
			);
		}
		if ((schema.minItems ?? 0) > 0) {
			out.push(
				fc
					.array(this.validish(items, name), { maxLength: (schema.minItems ?? 1) - 1 })
					.map((value) => ({ value, violates: true })),
			);
		}
		if (depth < 2) {
			out.push(
				fc
					.array(this.hostile(items, name, depth + 1), { minLength: 1, maxLength: Math.max(1, max ?? 3) })
					.map((samples) => ({
						value: samples.map((sample) => sample.value),
						violates: samples.some((sample) => sample.violates),
					})),
			);
		}
		return out;
	}

	private hostileObjects(schema: JsonSchema, depth: number): Array<fc.Arbitrary<Sample>> {
		const properties = schema.properties ?? {};
		const keys = Object.keys(properties);
		const required = (schema.required ?? []).filter((key) => key in properties);
		const strict = schema.additionalProperties === false;
		const valid = this.validObject(schema);
		const out: Array<fc.Arbitrary<Sample>> = [];

		// Mass assignment and prototype games: fields no body may carry.
		const EXTRA_KEYS = [
			"role",
			"trust_level",
			"trust_locked",
			"suspended_until",
			"author_id",
			"user_id",
			"owner_id",
			"id",
			"token_hash",
			"is_verified",
			"is_guide_response",
			"moderation_status",
			"reaction_count",
			"created_at",
			"__proto__",
			"constructor",
			"",
			"😀",
		].filter((key) => !(key in properties));
		out.push(
			fc
				.tuple(valid, fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 }))
				.map(([object, key, extra]) => ({
					value: Object.fromEntries([...Object.entries(object), [key, extra]]),
					violates: strict,
				})),
		);
		if (required.length > 0) {
			out.push(
				fc.tuple(valid, fc.constantFrom(...required)).map(([object, missing]) => {
					const { [missing]: _dropped, ...rest } = object;
					return { value: rest, violates: true };
				}),
			);
		}
		if (keys.length > 0 && depth < 2) {
			// One field made hostile, the rest valid: the most likely way to get past validation into a handler.
			out.push(
				fc.constantFrom(...keys).chain((key) =>
					fc
						.tuple(valid, this.hostile(properties[key] as JsonSchema, key, depth + 1))
						.map(([object, sample]) => ({
							value: sample.value === undefined ? object : { ...object, [key]: sample.value },
							violates: sample.violates && sample.value !== undefined,
						})),
				),
			);
			// Every field null.
			out.push(
				valid.map((object) => {
					const value = Object.fromEntries(keys.map((key) => [key, null]));
					const breaks = keys.some((key) => {
						const property = this.deref(properties[key] as JsonSchema);
						return (
							typesOf(property).length > 0 &&
							!typesOf(property).includes("null") &&
							!property.enum?.includes(null)
						);
					});
					return { value: { ...object, ...value }, violates: breaks };
				}),
			);
		}
		return out;
	}

	/** True only when `value` certainly does not satisfy `schema` (a conservative check). */
	certainlyBreaks(input: JsonSchema, value: unknown): boolean {
		const schema = this.deref(input);
		if (schema.enum) return !schema.enum.includes(value);
		const types = typesOf(schema);
		if (types.length === 0) return false;
		const kind =
			value === null
				? "null"
				: Array.isArray(value)
					? "array"
					: typeof value === "number"
						? Number.isInteger(value)
							? "integer"
							: "number"
						: typeof value;
		const fits = types.some((type) => type === kind || (type === "number" && kind === "integer"));
		if (!fits) return true;
		if (typeof value === "string") {
			const length = [...value].length;
			if (schema.maxLength !== undefined && length > schema.maxLength) return true;
			if (schema.minLength !== undefined && length < schema.minLength) return true;
			if (schema.format === "uuid" && !UUID_SHAPE.test(value)) return true;
			if (schema.pattern && !new RegExp(schema.pattern).test(value)) return true;
		}
		if (typeof value === "number") {
			if (schema.minimum !== undefined && value < schema.minimum) return true;
			if (schema.maximum !== undefined && value > schema.maximum) return true;
		}
		return false;
	}

	/** Path or query parameter text: a fitting value, a hostile one, or (optional ones) nothing. */
	parameter(
		input: JsonSchema,
		name: string,
		optional: boolean,
	): fc.Arbitrary<Sample & { value: string | undefined }> {
		const schema = this.deref(input);
		// The server sees only text: judge the text, read as the schema reads it (numbers through `Number`).
		const asText = (sample: Sample) => {
			if (sample.value === undefined || sample.value === null) return { value: undefined, violates: false };
			const text = typeof sample.value === "string" ? sample.value : JSON.stringify(sample.value);
			// An empty parameter may fairly be read as an absent one.
			return { value: text, violates: text !== "" && this.certainlyBreaks(schema, coerce(schema, text)) };
		};
		const options: Array<fc.WeightedArbitrary<Sample & { value: string | undefined }>> = [
			{
				weight: 4,
				arbitrary: this.validish(schema, name).map((value) => asText({ value, violates: false })),
			},
			{ weight: 3, arbitrary: this.hostile(schema, name).map(asText) },
		];
		if (optional) options.push({ weight: 3, arbitrary: fc.constant({ value: undefined, violates: false }) });
		return fc.oneof(...options);
	}
}

/** What a parameter's text means to its schema: numbers are read as `z.coerce.number()` reads them. */
function coerce(schema: JsonSchema, text: string): unknown {
	const types = typesOf(schema);
	if (!(types.includes("integer") || types.includes("number")) || schema.enum) return text;
	return Number(text);
}
