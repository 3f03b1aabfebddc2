/**
 * Speed as the browser itself reports it, for the journeys to log (never to assert: a wall-clock figure depends on
 * the machine). `installVitals` adds, before any script of the page runs, PerformanceObservers for
 * `largest-contentful-paint` and Event Timing (`event`, from 16 ms, the API's floor), and a "next paint" clock for
 * every interaction (the time from the input's timestamp to the first task after the next animation frame:
 * what a person waits to see the tap answered, even when Event Timing reports nothing because it was under 16 ms).
 *
 * Chromium's own numbers: LCP as the page's first load ends (it stops at the first input), Event Timing's
 * `duration` (input delay + handlers + presentation, rounded to 8 ms) grouped by `interactionId`, as INP does.
 */
import type { Page } from "playwright-core";

interface Vitals {
	lcp: { startTime: number; size: number; element: string; url: string }[];
	events: { name: string; interactionId: number; startTime: number; duration: number; target: string }[];
	paints: { type: string; target: string; startTime: number; nextPaint: number }[];
	marks: Record<string, number>;
}

declare global {
	interface Window {
		__vitals?: Vitals;
	}
}

/** Runs in the page, before its scripts (`addInitScript`), on every navigation. */
function observe() {
	const vitals: Vitals = { lcp: [], events: [], paints: [], marks: {} };
	window.__vitals = vitals;
	const describe = (node: unknown) => {
		if (!(node instanceof Element)) return "";
		const name =
			node.getAttribute("aria-label") ??
			node.getAttribute("alt") ??
			node.textContent?.trim().slice(0, 40) ??
			"";
		return `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ""} ${name}`.trim();
	};
	try {
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as (PerformanceEntry & {
				size: number;
				element: Element | null;
				url: string;
			})[]) {
				vitals.lcp.push({
					startTime: entry.startTime,
					size: entry.size,
					element: describe(entry.element),
					url: entry.url,
				});
			}
		}).observe({ type: "largest-contentful-paint", buffered: true });
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as (PerformanceEntry & {
				interactionId: number;
				target: Node | null;
			})[]) {
				vitals.events.push({
					name: entry.name,
					interactionId: entry.interactionId,
					startTime: entry.startTime,
					duration: entry.duration,
					target: describe(entry.target),
				});
			}
		}).observe({ type: "event", buffered: true, durationThreshold: 16 } as PerformanceObserverInit);
	} catch {
		// a browser without these entry types reports nothing
	}
	// When each article first entered the DOM (page clock): "until the post showed" figures.
	const markArticles = (node: Node) => {
		if (!(node instanceof Element)) return;
		const found = node.matches("article[id]") ? [node] : Array.from(node.querySelectorAll("article[id]"));
		for (const article of found) vitals.marks[article.id] ??= performance.now();
	};
	// When each image finished loading (page clock), by its address.
	document.addEventListener(
		"load",
		(event) => {
			const target = event.target;
			if (target instanceof HTMLImageElement)
				vitals.marks[`img ${target.getAttribute("src")}`] ??= performance.now();
		},
		{ capture: true },
	);
	new MutationObserver((records) => {
		for (const record of records) record.addedNodes.forEach(markArticles);
	}).observe(document, { childList: true, subtree: true });
	for (const type of ["pointerup", "keyup"]) {
		window.addEventListener(
			type,
			(event) => {
				const target = describe(event.target);
				requestAnimationFrame(() =>
					setTimeout(() =>
						vitals.paints.push({
							type,
							target,
							startTime: event.timeStamp,
							nextPaint: performance.now() - event.timeStamp,
						}),
					),
				);
			},
			{ capture: true },
		);
	}
}

export async function installVitals(page: Page): Promise<void> {
	// As source: the test's TypeScript compiler may wrap named functions in a `__name` helper the page lacks.
	await page.addInitScript({
		content: `var __name = globalThis.__name || ((target) => target); (${observe.toString()})();`,
	});
}

const read = (page: Page) => page.evaluate(() => window.__vitals ?? null);

/** The page's largest contentful paint (ms from navigation start) and what it was, or null. */
export async function largestContentfulPaint(page: Page): Promise<{ ms: number; element: string } | null> {
	// LCP is reported after the frame that painted it: give the browser two frames.
	await page.evaluate(
		() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
	);
	const last = (await read(page))?.lcp.at(-1);
	return last ? { ms: Math.round(last.startTime), element: last.element || last.url } : null;
}

/** When the first `<article>` entered the DOM, and when the first image whose address starts with `photoPrefix` loaded. */
export async function firstPaints(
	page: Page,
	photoPrefix: string,
): Promise<{ firstArticle: number | null; firstPhoto: number | null }> {
	const marks = (await read(page))?.marks ?? {};
	const times = (keep: (key: string) => boolean) => {
		const values = Object.entries(marks)
			.filter(([key]) => keep(key))
			.map(([, value]) => value);
		return values.length ? Math.round(Math.min(...values)) : null;
	};
	return {
		firstArticle: times((key) => !key.startsWith("img ")),
		firstPhoto: times((key) => key.startsWith(`img ${photoPrefix}`)),
	};
}

/** `performance.now()` in the page (ms since its navigation started). */
export const pageNow = (page: Page) => page.evaluate(() => performance.now());

export interface Interaction {
	/** The longest Event Timing entry of the interaction (INP's measure), or null when under 16 ms. */
	eventTimingMs: number | null;
	/** Input → the first task after the next frame. */
	nextPaintMs: number | null;
	/** The interaction's input timestamp in the page's clock (for "until X showed" figures). */
	startTime: number | null;
}

/** The first interaction with an input at or after `since` (the page's clock). */
export async function interactionSince(page: Page, since: number): Promise<Interaction> {
	await page.evaluate(
		() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => setTimeout(resolve, 50)))),
	);
	const vitals = await read(page);
	const events = (vitals?.events ?? []).filter(
		(entry) => entry.interactionId > 0 && entry.startTime >= since,
	);
	const first = events[0];
	const sameInteraction = first ? events.filter((entry) => entry.interactionId === first.interactionId) : [];
	const paint = (vitals?.paints ?? []).find((entry) => entry.startTime >= since);
	return {
		eventTimingMs: sameInteraction.length
			? Math.max(...sameInteraction.map((entry) => entry.duration))
			: null,
		nextPaintMs: paint ? Math.round(paint.nextPaint) : null,
		startTime: first?.startTime ?? paint?.startTime ?? null,
	};
}

/** When the element `#id` first entered the page's DOM (the page's clock), or null. */
export async function markOf(page: Page, id: string): Promise<number | null> {
	return page.evaluate((key) => window.__vitals?.marks[key] ?? null, id);
}

/** One line for the test's output: `[web-vitals] feed desktop: reaction tap — …`. */
export function logVitals(what: string, figures: Record<string, number | string | null>): void {
	const parts = Object.entries(figures).map(
		([name, value]) =>
			`${name} ${value === null ? "n/a" : typeof value === "number" ? `${Math.round(value)} ms` : value}`,
	);
	console.log(`[web-vitals] ${what}: ${parts.join(", ")}`);
}
