/**
 * One support request as its asker reads it: the token kept on this device (or pasted) opens it with its
 * responses; the asker marks a response helpful and closes the request with the token alone — those calls carry
 * no sign-in (support/queries). The token itself is never shown here: it was shown once, when asked.
 */
import { type FormEvent, useId, useState } from "react";
import { Link, useParams } from "react-router";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { CrisisResources } from "../safety/CrisisResources";
import {
	categoryLabel,
	deviceStorage,
	forgetToken,
	hourOf,
	keepToken,
	type SupportRequestWithResponses,
	type SupportResponse,
	statusText,
	tokenFor,
} from "./display";
import { useMarkHelpful, useSetStatus, useSupportRequest } from "./queries";
import "./support.css";
import { LoadError } from "../pages/LoadError";

export function RequestPage() {
	const { request_id: requestId = "" } = useParams();
	const [token, setToken] = useState(() => tokenFor(deviceStorage(), requestId));
	const request = useSupportRequest(requestId, token);
	const [forgotten, setForgotten] = useState(false);

	return (
		<>
			<PageHeading title="Your support request">
				<p className="lede">Only someone with this request's token can read it as its asker.</p>
			</PageHeading>
			{forgotten && (
				<p className="banner" role="status">
					This browser has forgotten the token.
				</p>
			)}
			{!token && <TokenForm requestId={requestId} onToken={setToken} />}
			{token && request.isPending && <p aria-busy="true">Opening your request…</p>}
			{token && request.isError && <LoadError error={request.error} onRetry={() => void request.refetch()} />}
			{token && request.data && (
				<MyRequest
					request={request.data}
					token={token}
					onForget={() => {
						forgetToken(deviceStorage(), requestId);
						setToken(undefined);
						setForgotten(true);
					}}
				/>
			)}
			<p>
				<Link to="/support">Back to anonymous support</Link>
			</p>
		</>
	);
}

function TokenForm({ requestId, onToken }: { requestId: string; onToken: (token: string) => void }) {
	const id = useId();
	const [value, setValue] = useState("");
	const [remember, setRemember] = useState(true);
	const [error, setError] = useState<string | null>(null);
	function submit(event: FormEvent) {
		event.preventDefault();
		const token = value.trim();
		if (!token) {
			setError("Please paste the token you were given when you asked.");
			return;
		}
		if (remember) {
			keepToken(deviceStorage(), {
				request_id: requestId,
				token,
				title: "A request opened with its token",
				kept_at: hourOf(new Date()),
			});
		}
		onToken(token);
	}
	return (
		<form className="card" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
			<h2 id={`${id}-title`}>Open it with its token</h2>
			<p className="support-note">
				This browser does not have the token of this request. Paste the one you copied.
			</p>
			<div className="field">
				<label htmlFor={`${id}-token`}>Token</label>
				<input
					id={`${id}-token`}
					value={value}
					autoComplete="off"
					spellCheck={false}
					aria-describedby={error ? `${id}-error` : undefined}
					onChange={(event) => setValue(event.target.value)}
				/>
			</div>
			<label className="support-choice">
				<input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
				Keep it in this browser (anyone using this browser could find it)
			</label>
			{error && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{error}
				</p>
			)}
			<button type="submit" className="button button--primary">
				Open request
			</button>
		</form>
	);
}

function MyRequest({
	request,
	token,
	onForget,
}: {
	request: SupportRequestWithResponses;
	token: string;
	onForget: () => void;
}) {
	const helpful = useMarkHelpful(request.id, token);
	const status = useSetStatus(request.id, token);
	const [confirmForget, setConfirmForget] = useState(false);
	const active = request.status === "open" || request.status === "responded";
	const actionError = helpful.error ?? status.error;

	return (
		<>
			{request.crisis_resources && request.crisis_resources.length > 0 && (
				// The API answers them to the asker for as long as the request reads as a crisis: whoever comes back
				// to it may still be in danger.
				<CrisisResources
					resources={request.crisis_resources}
					intro="What you wrote here sounded very heavy. If you might act on it, please call one of these lines or your local emergency number now. They are free, and someone will listen."
				/>
			)}
			<article className="card support-request" aria-labelledby="request-title">
				<h2 id="request-title">{request.title}</h2>
				<p className="support-note">
					{categoryLabel(request.category)} ·{" "}
					{request.visibility === "guides_only" ? "Only verified guides" : "Members of the community"}
				</p>
				<p className="support-request__body">{request.body}</p>
				<p className="support-request__status" data-testid="request-status">
					{statusText(request)}
				</p>
			</article>
			{actionError && (
				<p className="banner banner--error" role="alert">
					{errorSentence(actionError)}
				</p>
			)}
			<section aria-labelledby="responses-title">
				<h2 id="responses-title">Responses</h2>
				{request.responses.length === 0 ? (
					<p className="empty">
						No responses yet. Guides and members see your request; come back a little later.
					</p>
				) : (
					<ul className="responses">
						{request.responses.map((response) => (
							<ResponseItem
								key={response.id}
								response={response}
								pending={helpful.isPending && helpful.variables === response.id}
								onHelpful={() => helpful.mutate(response.id)}
							/>
						))}
					</ul>
				)}
			</section>
			<section className="card" aria-labelledby="manage-title">
				<h2 id="manage-title">Your request</h2>
				{active && (
					<div className="support-actions">
						<button
							type="button"
							className="button"
							aria-disabled={status.isPending}
							onClick={() => !status.isPending && status.mutate("resolved")}
						>
							Mark resolved
						</button>
						<button
							type="button"
							className="button button--quiet"
							aria-disabled={status.isPending}
							onClick={() => !status.isPending && status.mutate("closed")}
						>
							Close request
						</button>
					</div>
				)}
				<p className="support-note">
					This browser keeps this request's token in its local storage. Forgetting it means this browser can
					no longer open the request as yours, unless you paste the token again.
				</p>
				{confirmForget ? (
					<div className="support-actions">
						<button type="button" className="button" onClick={onForget}>
							Yes, forget the token
						</button>
						<button type="button" className="button button--quiet" onClick={() => setConfirmForget(false)}>
							Keep it
						</button>
					</div>
				) : (
					<button type="button" className="button button--quiet" onClick={() => setConfirmForget(true)}>
						Forget the token on this browser
					</button>
				)}
			</section>
		</>
	);
}

function ResponseItem({
	response,
	pending,
	onHelpful,
}: {
	response: SupportResponse;
	pending: boolean;
	onHelpful: () => void;
}) {
	return (
		<li className="response">
			<p className="response__who">
				{response.responder.display_name}
				{response.is_guide_response && <span className="support-badge">Verified guide</span>}
			</p>
			<p className="response__body">{response.body}</p>
			{response.is_helpful ? (
				<p className="response__helpful">You marked this helpful</p>
			) : (
				<button
					type="button"
					className="button button--quiet"
					aria-disabled={pending}
					onClick={() => !pending && onHelpful()}
				>
					Mark helpful
					<span className="visually-hidden">: response from {response.responder.display_name}</span>
				</button>
			)}
		</li>
	);
}
