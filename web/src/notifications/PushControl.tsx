/**
 * "On this device": turn Web Push on or off for this browser (push.ts does the steps). What happened is said in
 * a sentence, calmly, in a polite live region; nothing is pre-ticked and nothing nags.
 */
import { useEffect, useMemo, useState } from "react";
import { useSession } from "../auth/session";
import { browserPush, type PushState, pushState, SENTENCES, turnOffPush, turnOnPush } from "./push";
import { pushApi } from "./queries";

export function PushControl() {
	const { api } = useSession();
	const browser = useMemo(() => browserPush(), []);
	const [state, setState] = useState<PushState | "checking">("checking");
	const [busy, setBusy] = useState(false);
	const [outcome, setOutcome] = useState<{ sentence: string; failed: boolean } | null>(null);

	useEffect(() => {
		let live = true;
		void pushState(browser)
			.catch((): PushState => "off")
			.then((found) => {
				if (live) setState(found);
			});
		return () => {
			live = false;
		};
	}, [browser]);

	const change = async (turnOn: boolean) => {
		if (busy) return;
		setBusy(true);
		setOutcome(null);
		const result = turnOn
			? await turnOnPush(browser, pushApi(api))
			: await turnOffPush(browser, pushApi(api));
		setBusy(false);
		setOutcome({ sentence: result.sentence, failed: result.on !== turnOn });
		setState(await pushState(browser).catch((): PushState => (result.on ? "on" : "off")));
	};

	return (
		<section className="card push-control" aria-labelledby="device-title">
			<h2 id="device-title">On this device</h2>
			{state === "unsupported" && <p>{SENTENCES.unsupported}</p>}
			{state === "blocked" && <p>{SENTENCES.denied}</p>}
			{state === "off" && (
				<>
					<p>
						Get a short note on this device when someone connects, replies, or a reminder is due. It says who
						acted, never what they wrote.
					</p>
					<button
						type="button"
						className="button button--primary"
						aria-disabled={busy}
						onClick={() => void change(true)}
					>
						{busy ? "Turning on notifications…" : "Turn on notifications on this device"}
					</button>
				</>
			)}
			{state === "on" && (
				<>
					<p>{SENTENCES.on}</p>
					<button type="button" className="button" aria-disabled={busy} onClick={() => void change(false)}>
						{busy ? "Turning off notifications…" : "Turn off notifications on this device"}
					</button>
				</>
			)}
			<p
				className={outcome ? (outcome.failed ? "banner banner--error" : "banner") : undefined}
				role="status"
				aria-live="polite"
				data-testid="push-outcome"
			>
				{outcome?.sentence}
			</p>
		</section>
	);
}
