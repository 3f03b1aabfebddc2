/**
 * The request's token, shown this once: what it is for, that nobody can recover it, a copy button, and what
 * this device does with it (keeps it in this browser's local storage, which anyone using the browser can read).
 */
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";

export function TokenOnce({
	requestId,
	token,
	keptOnDevice,
	focus,
}: {
	requestId: string;
	token: string;
	keptOnDevice: boolean;
	/** Take focus (when no crisis region came first). */
	focus: boolean;
}) {
	const heading = useRef<HTMLHeadingElement>(null);
	const field = useRef<HTMLInputElement>(null);
	const [copied, setCopied] = useState<"yes" | "no" | null>(null);
	useEffect(() => {
		if (focus) heading.current?.focus();
	}, [focus]);

	async function copy() {
		try {
			await navigator.clipboard.writeText(token);
			setCopied("yes");
		} catch {
			// No clipboard (permissions, an old browser): select the text so the person can copy it themselves.
			field.current?.select();
			setCopied("no");
		}
	}

	return (
		<section className="card token-once" aria-labelledby="token-title">
			<h2 id="token-title" ref={heading} tabIndex={-1}>
				Your request is posted. Here is its private token
			</h2>
			<p className="token-once__warning">
				<strong>This is the only time you will see it.</strong> The token is the only way to read responses as
				the person who asked, mark one helpful, or close your request. It is not linked to your name, so
				Flourish cannot find it or send it to you again.
			</p>
			<div className="field">
				<label htmlFor="support-token">Token</label>
				<div className="token-once__row">
					<input id="support-token" ref={field} className="token-once__value" readOnly value={token} />
					<button type="button" className="button" onClick={() => void copy()}>
						Copy token
					</button>
				</div>
			</div>
			<p role="status" className="token-once__copied">
				{copied === "yes" ? "Copied. Keep it somewhere only you can read." : ""}
				{copied === "no"
					? "Copying did not work here; the token is selected, so you can copy it yourself."
					: ""}
			</p>
			<p className="support-note">
				{keptOnDevice
					? "This browser also keeps the token (in its local storage, never sent anywhere by itself) so you can come back to read responses. Anyone who uses this browser could find it; you can make it forget the token on the request's page."
					: "This browser could not keep the token (its storage is off or full): copy it now, or you will not be able to read responses."}
			</p>
			<p>
				<Link className="button button--primary" to={`/support/requests/${requestId}`}>
					Read responses to your request
				</Link>
			</p>
		</section>
	);
}
