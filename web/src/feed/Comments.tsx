/**
 * A post's comments, as the API models them: top-level comments oldest first (more on request), each with its
 * replies nested below it, to depth 5. Reply under any comment that is not that deep; a removed comment keeps
 * its place for its replies. What I write that moderation holds says so; crisis resources come up at once.
 */
import { type FormEvent, useId, useRef, useState } from "react";
import { errorSentence } from "../api/client";
import { HELD_FOR_REVIEW, relativeTime } from "./display";
import { type Comment, type CrisisResource, useComments, useCreateComment } from "./queries";

const MAX_DEPTH = 5;

export function Comments({
	postId,
	onCrisis,
	onAnnounce,
}: {
	postId: string;
	onCrisis: (resources: CrisisResource[]) => void;
	onAnnounce: (message: string) => void;
}) {
	const comments = useComments(postId, true);
	const create = useCreateComment(postId);
	const [replyTo, setReplyToState] = useState<string | null>(null);
	const setReplyTo = (id: string | null) => {
		create.reset();
		setReplyToState(id);
	};

	const send = async (body: string, parentId?: string) => {
		const created = await create.mutateAsync({ body, ...(parentId ? { parentId } : {}) });
		setReplyTo(null);
		if (created.crisis_resources?.length) onCrisis(created.crisis_resources);
		onAnnounce(
			created.pending_review
				? `Your ${parentId ? "reply" : "comment"} is held for review. Only you can see it for now.`
				: `Your ${parentId ? "reply" : "comment"} is posted.`,
		);
	};

	// A comment written here is added to the last page read; a later page may bring it again.
	const seen = new Set<string>();
	const thread = (comments.data?.pages ?? [])
		.flatMap((page) => page.data)
		.filter((comment) => !seen.has(comment.id) && seen.add(comment.id));

	return (
		<div className="comments">
			{comments.isPending && <p aria-busy="true">Opening the comments…</p>}
			{comments.isError && (
				<p className="form-error" role="alert">
					{errorSentence(comments.error)}
				</p>
			)}
			{comments.data && thread.length === 0 && (
				<p className="empty">No comments yet. Be the first, kindly.</p>
			)}
			{thread.length > 0 && (
				<ul className="comments__list">
					{thread.map((comment) => (
						<CommentItem
							key={comment.id}
							comment={comment}
							replyTo={replyTo}
							onReply={setReplyTo}
							onSend={send}
							pending={create.isPending}
							error={create.error}
						/>
					))}
				</ul>
			)}
			{comments.hasNextPage && (
				<button
					type="button"
					className="button button--quiet"
					aria-busy={comments.isFetchingNextPage}
					onClick={() => void comments.fetchNextPage()}
				>
					{comments.isFetchingNextPage ? "Loading…" : "More comments"}
				</button>
			)}
			<CommentForm
				label="Add a comment"
				submitLabel="Comment"
				pending={create.isPending && replyTo === null}
				error={replyTo === null ? create.error : null}
				onSend={(body) => send(body)}
			/>
		</div>
	);
}

function CommentItem({
	comment,
	replyTo,
	onReply,
	onSend,
	pending,
	error,
}: {
	comment: Comment;
	replyTo: string | null;
	onReply: (id: string | null) => void;
	onSend: (body: string, parentId?: string) => Promise<void>;
	pending: boolean;
	error: unknown;
}) {
	const id = useId();
	const replying = replyTo === comment.id;
	const name = comment.author?.display_name ?? "Someone";
	return (
		<li className="comment" aria-labelledby={`${id}-by`}>
			<p className="comment__meta" id={`${id}-by`}>
				<strong>{comment.removed ? "Removed comment" : name}</strong>{" "}
				<time dateTime={comment.created_at}>{relativeTime(comment.created_at)}</time>
			</p>
			<p className={`comment__body${comment.removed ? " comment__body--removed" : ""}`}>
				{comment.removed ? "This comment was removed." : comment.body}
			</p>
			{comment.pending_review && <p className="held">{HELD_FOR_REVIEW}</p>}
			{!comment.removed && comment.depth < MAX_DEPTH && (
				<button
					type="button"
					className="button button--quiet button--small"
					aria-expanded={replying}
					onClick={() => onReply(replying ? null : comment.id)}
				>
					Reply<span className="visually-hidden"> to {name}</span>
				</button>
			)}
			{replying && (
				<CommentForm
					label={`Reply to ${name}`}
					submitLabel="Reply"
					autoFocus
					pending={pending}
					error={error}
					onSend={(body) => onSend(body, comment.id)}
					onCancel={() => onReply(null)}
				/>
			)}
			{comment.replies.length > 0 && (
				<ul className="comments__list comments__list--replies">
					{comment.replies.map((reply) => (
						<CommentItem
							key={reply.id}
							comment={reply}
							replyTo={replyTo}
							onReply={onReply}
							onSend={onSend}
							pending={pending}
							error={error}
						/>
					))}
				</ul>
			)}
		</li>
	);
}

function CommentForm({
	label,
	submitLabel,
	pending,
	error,
	onSend,
	onCancel,
	autoFocus = false,
}: {
	label: string;
	submitLabel: string;
	pending: boolean;
	error: unknown;
	onSend: (body: string) => Promise<void>;
	onCancel?: () => void;
	autoFocus?: boolean;
}) {
	const id = useId();
	const ref = useRef<HTMLTextAreaElement>(null);
	const [body, setBody] = useState("");
	const [localError, setLocalError] = useState<string | null>(null);
	const shown = localError ?? (error ? errorSentence(error) : null);

	const submit = async (event: FormEvent) => {
		event.preventDefault();
		if (!body.trim()) {
			setLocalError("Please write something first.");
			ref.current?.focus();
			return;
		}
		setLocalError(null);
		try {
			await onSend(body);
			setBody("");
		} catch {
			// shown from the mutation's error
		}
	};

	return (
		<form className="comment-form" onSubmit={submit} noValidate>
			<label htmlFor={`${id}-body`}>{label}</label>
			<textarea
				id={`${id}-body`}
				ref={ref}
				value={body}
				rows={2}
				maxLength={2000}
				// biome-ignore lint/a11y/noAutofocus: the person just asked to reply here
				autoFocus={autoFocus}
				aria-describedby={shown ? `${id}-error` : undefined}
				onChange={(event) => setBody(event.target.value)}
			/>
			{shown && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{shown}
				</p>
			)}
			<div className="comment-form__actions">
				<button
					type="submit"
					className="button button--primary button--small"
					aria-busy={pending}
					disabled={pending}
				>
					{pending ? "Sending…" : submitLabel}
				</button>
				{onCancel && (
					<button type="button" className="button button--quiet button--small" onClick={onCancel}>
						Cancel
					</button>
				)}
			</div>
		</form>
	);
}
