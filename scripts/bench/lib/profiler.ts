/**
 * CPU profiles of isolates in the bench's workerd, over the Chrome DevTools protocol of workerd's inspector
 * (`npm run bench -- --profile`): where an endpoint's time goes, per isolate. Targets are workerd's own
 * names, e.g. `core:user:flourish-api` (the API Worker) and `d1:db` (Miniflare's local D1).
 *
 * Caveat: with an inspector attached, every `console.log` is also sent to it, so logging looks several
 * times dearer in a profile than in the figures (which run without one).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { isRecord } from "../../lib/guards.ts";

export const PROFILED_TARGETS = ["core:user:flourish-api", "d1:db", "core:user:flourish-ml"];

/**
 * A V8 CPU profile (the Chrome DevTools protocol's `Profiler.Profile`), as far as it is read here. (A type
 * alias, not an interface, so that a parsed JSON record can be asserted to be one.)
 */
export type CpuProfile = {
	nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
	samples: number[];
	/** Microseconds from each sample to the one before it (the first: from the profile's start). */
	timeDeltas: number[];
};

/** Milliseconds the isolate was busy: the time of every sample but `(idle)` ones. */
export function busyMs(profile: CpuProfile): number {
	const idle = new Set(
		profile.nodes.filter((node) => node.callFrame.functionName === "(idle)").map((node) => node.id),
	);
	let busy = 0;
	// A sample's delta is the time up to it: the time the sampled state lasted is the NEXT delta.
	for (const [index, id] of profile.samples.entries()) {
		if (!idle.has(id)) busy += profile.timeDeltas[index + 1] ?? 0;
	}
	return busy / 1000;
}

/** A protocol answer: `{ id, result }` (or `{ id, error }`). */
type Answer = Record<string, unknown>;

interface Session {
	target: string;
	send(method: string, params?: Record<string, unknown>): Promise<Answer>;
	close(): void;
}

async function connect(port: number, target: string): Promise<Session> {
	const socket = new WebSocket(`ws://127.0.0.1:${port}/${target}`);
	const pending = new Map<unknown, (message: Answer) => void>();
	let nextId = 0;
	socket.addEventListener("message", (event) => {
		const message: unknown = JSON.parse(String(event.data));
		if (!isRecord(message)) return;
		pending.get(message.id)?.(message);
		pending.delete(message.id);
	});
	await new Promise((resolve, reject) => {
		socket.addEventListener("open", resolve, { once: true });
		socket.addEventListener("error", () => reject(new Error(`inspector: cannot attach to ${target}`)), {
			once: true,
		});
	});
	const send = (method: string, params: Record<string, unknown> = {}) =>
		new Promise<Answer>((resolve) => {
			const id = ++nextId;
			pending.set(id, resolve);
			socket.send(JSON.stringify({ id, method, params }));
		});
	await send("Profiler.enable");
	await send("Profiler.setSamplingInterval", { interval: 250 });
	return { target, send, close: () => socket.close() };
}

/** Self time per function (name file:line), as shares of all samples, largest first. */
export function topFunctions(profile: CpuProfile, count = 15): Array<{ name: string; percent: number }> {
	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const samples = new Map<number, number>();
	for (const id of profile.samples) samples.set(id, (samples.get(id) ?? 0) + 1);
	const byFunction = new Map<string, number>();
	for (const [id, n] of samples) {
		const frame = nodes.get(id)?.callFrame;
		if (!frame) throw new Error(`the profile samples node ${id}, which it does not have`);
		const key = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop()}:${frame.lineNumber + 1}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + n);
	}
	const total = profile.samples.length || 1;
	return [...byFunction]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([name, n]) => ({ name, percent: Math.round((1000 * n) / total) / 10 }));
}

/** Starts profiling the targets; `stop(prefix)` writes `<dir>/<prefix>.<target>.cpuprofile` for each. */
export interface ProfilesWritten {
	target: string;
	file: string;
	top: Array<{ name: string; percent: number }>;
	busyMs: number;
}

export async function startProfiles(
	port: number,
	dir: string,
	targets: string[] = PROFILED_TARGETS,
): Promise<{ stop(prefix: string): Promise<ProfilesWritten[]> }> {
	const sessions = await Promise.all(targets.map((target) => connect(port, target)));
	for (const session of sessions) await session.send("Profiler.start");
	return {
		async stop(prefix) {
			const written: ProfilesWritten[] = [];
			for (const session of sessions) {
				const { result } = await session.send("Profiler.stop");
				if (!isRecord(result) || !isRecord(result.profile)) {
					throw new Error(`${session.target}: Profiler.stop answered no profile`);
				}
				// workerd's inspector speaks the DevTools protocol: the answer is a `Profiler.Profile`.
				const profile = result.profile as CpuProfile;
				const file = path.join(dir, `${prefix}.${session.target.replace(/[^\w-]/g, "_")}.cpuprofile`);
				writeFileSync(file, JSON.stringify(profile));
				written.push({ target: session.target, file, top: topFunctions(profile), busyMs: busyMs(profile) });
				session.close();
			}
			return written;
		},
	};
}
