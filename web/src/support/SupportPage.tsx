/**
 * Anonymous Support: ask for help without a name. The answer's crisis resources (when the text reads as a
 * crisis) come first and take focus; then the request's token, shown once; the requests asked from this
 * device are listed below, each a link to read its responses.
 */
import { type FormEvent, useId, useState } from "react";
import { Link } from "react-router";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { CrisisResources } from "../safety/CrisisResources";
import {
	CATEGORIES,
	type CreatedSupportRequest,
	deviceStorage,
	hourOf,
	keepToken,
	readKeptTokens,
	type SupportCategory,
} from "./display";
import { useAskForSupport } from "./queries";
import { TokenOnce } from "./TokenOnce";
import "./support.css";

export function SupportPage() {
	const ask = useAskForSupport();
	const [created, setCreated] = useState<{ answer: CreatedSupportRequest; kept: boolean } | null>(null);

	return (
		<>
			<PageHeading title="Anonymous support">
				<p className="lede">
					Ask for help without your name. Guides and kind members can respond; nobody can see who asked.
				</p>
			</PageHeading>
			{created ? (
				<>
					{created.answer.crisis_resources && created.answer.crisis_resources.length > 0 && (
						<CrisisResources resources={created.answer.crisis_resources} />
					)}
					<TokenOnce
						requestId={created.answer.request.id}
						token={created.answer.token}
						keptOnDevice={created.kept}
						focus={!created.answer.crisis_resources?.length}
					/>
					<p>
						<button
							type="button"
							className="button button--quiet"
							onClick={() => {
								setCreated(null);
								ask.reset();
							}}
						>
							Ask something else
						</button>
					</p>
				</>
			) : (
				<AskForm
					pending={ask.isPending}
					error={ask.error ? errorSentence(ask.error) : null}
					onAsk={async (body) => {
						const answer = await ask.mutateAsync(body);
						const kept = keepToken(deviceStorage(), {
							request_id: answer.request.id,
							token: answer.token,
							title: answer.request.title,
							kept_at: hourOf(new Date()),
						});
						setCreated({ answer, kept });
					}}
				/>
			)}
			<KeptRequests />
		</>
	);
}

function AskForm({
	onAsk,
	pending,
	error,
}: {
	onAsk: (body: {
		title: string;
		body: string;
		category: SupportCategory;
		visibility: "community" | "guides_only";
	}) => Promise<void>;
	pending: boolean;
	error: string | null;
}) {
	const id = useId();
	const [title, setTitle] = useState("");
	const [body, setBody] = useState("");
	const [category, setCategory] = useState<SupportCategory>("other");
	const [visibility, setVisibility] = useState<"community" | "guides_only">("community");
	const [localError, setLocalError] = useState<string | null>(null);
	const shownError = localError ?? error;

	async function submit(event: FormEvent) {
		event.preventDefault();
		if (title.trim().length < 5)
			return setLocalError("Please give your request a title of at least 5 letters.");
		if (body.trim().length < 10) return setLocalError("Please say a little more: at least 10 letters.");
		setLocalError(null);
		try {
			await onAsk({ title: title.trim(), body: body.trim(), category, visibility });
		} catch {
			// shown from the mutation's state
		}
	}

	return (
		<form className="card" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
			<h2 id={`${id}-title`}>Ask for support</h2>
			<ul className="support-promises">
				<li>Your request is stored with no link to your account, and its time only to the hour.</li>
				<li>
					Your sign-in is used once, to count the daily limit of requests; it is not kept with the request.
				</li>
				<li>If what you write sounds like a crisis, we show you people you can call straight away.</li>
			</ul>
			<div className="field">
				<label htmlFor={`${id}-heading`}>Title</label>
				<input
					id={`${id}-heading`}
					value={title}
					maxLength={150}
					autoComplete="off"
					aria-describedby={shownError ? `${id}-error` : undefined}
					onChange={(event) => setTitle(event.target.value)}
				/>
			</div>
			<div className="field">
				<label htmlFor={`${id}-body`}>What's on your mind</label>
				<textarea
					id={`${id}-body`}
					value={body}
					rows={6}
					maxLength={5000}
					aria-describedby={shownError ? `${id}-error` : undefined}
					onChange={(event) => setBody(event.target.value)}
				/>
			</div>
			<div className="field">
				<label htmlFor={`${id}-category`}>Topic</label>
				<select
					id={`${id}-category`}
					value={category}
					onChange={(event) => setCategory(event.target.value as SupportCategory)}
				>
					{CATEGORIES.map((each) => (
						<option key={each.value} value={each.value}>
							{each.label}
						</option>
					))}
				</select>
			</div>
			<fieldset>
				<legend>Who may read and respond</legend>
				<label className="support-choice">
					<input
						type="radio"
						name={`${id}-visibility`}
						checked={visibility === "community"}
						onChange={() => setVisibility("community")}
					/>
					Members of the community
				</label>
				<label className="support-choice">
					<input
						type="radio"
						name={`${id}-visibility`}
						checked={visibility === "guides_only"}
						onChange={() => setVisibility("guides_only")}
					/>
					Only verified guides
				</label>
			</fieldset>
			{shownError && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{shownError}
				</p>
			)}
			<button type="submit" className="button button--primary" aria-busy={pending} disabled={pending}>
				{pending ? "Sending…" : "Ask anonymously"}
			</button>
		</form>
	);
}

function KeptRequests() {
	const kept = readKeptTokens(deviceStorage());
	if (kept.length === 0) return null;
	return (
		<section className="card" aria-labelledby="kept-title">
			<h2 id="kept-title">Requests asked from this browser</h2>
			<p className="support-note">This browser keeps their tokens, so you can read the responses.</p>
			<ul className="kept-requests">
				{kept.map((each) => (
					<li key={each.request_id}>
						<Link to={`/support/requests/${each.request_id}`}>{each.title}</Link>
					</li>
				))}
			</ul>
		</section>
	);
}
