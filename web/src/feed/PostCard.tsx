/**
 * One post of the feed, an `<article>` of the ARIA feed pattern: who, when, what kind; the text, photos, poll or
 * milestone; reactions; comments on request. A post moderation holds tells its author so, in words.
 */
import { memo, useId, useState } from "react";
import { errorSentence } from "../api/client";
import { Comments } from "./Comments";
import {
	commentCountText,
	HELD_FOR_REVIEW,
	initials,
	milestoneText,
	type ReactionType,
	relativeTime,
	TYPE_WORDS,
} from "./display";
import { PollView } from "./PollView";
import { PostPhotos } from "./PostPhotos";
import { type CrisisResource, type Post, useReact } from "./queries";
import { Reactions } from "./Reactions";

/** Memoised: a reaction or a vote re-renders its own post, not the whole feed. */
export const PostCard = memo(function PostCard({
	post,
	position,
	setSize,
	eager,
	onAnnounce,
	onCrisis,
}: {
	post: Post;
	position: number;
	/** -1 while more pages may follow. */
	setSize: number;
	eager: boolean;
	onAnnounce: (message: string) => void;
	onCrisis: (resources: CrisisResource[]) => void;
}) {
	const id = useId();
	const react = useReact();
	const [commentsOpen, setCommentsOpen] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const name = post.author.display_name;

	const onReact = (reaction: ReactionType | null) => {
		setProblem(null);
		react.mutate(
			{ post, reaction },
			{
				onSuccess: () => onAnnounce(reaction ? `You reacted to ${name}'s post.` : "Reaction removed."),
				onError: (error) => setProblem(errorSentence(error)),
			},
		);
	};

	return (
		<article
			id={`post-${post.id}`}
			className={`post${post.pending_review ? " post--held" : ""}`}
			aria-labelledby={`${id}-author ${id}-meta`}
			aria-posinset={position}
			aria-setsize={setSize}
			tabIndex={-1}
			data-post-type={post.type}
		>
			<header className="post__header">
				<span className="avatar" aria-hidden="true">
					{initials(name)}
				</span>
				<div>
					<h3 id={`${id}-author`} className="post__author">
						{name}
					</h3>
					<p id={`${id}-meta`} className="post__meta">
						{TYPE_WORDS[post.type]} ·{" "}
						<time dateTime={post.created_at} title={new Date(post.created_at).toLocaleString()}>
							{relativeTime(post.created_at)}
						</time>
						{post.visibility !== "public" && ` · ${visibilityWords(post.visibility)}`}
						{post.edited_at && " · edited"}
					</p>
				</div>
			</header>
			{post.pending_review && (
				<p className="held" data-testid="held">
					{HELD_FOR_REVIEW}
				</p>
			)}
			{post.milestone && <p className="post__milestone">{milestoneText(post.milestone)}</p>}
			{post.body && <p className="post__body">{post.body}</p>}
			<PostPhotos post={post} eager={eager} />
			{post.poll && <PollView post={post} onVoted={onAnnounce} />}
			<div className="post__actions">
				<Reactions post={post} onReact={onReact} />
				<button
					type="button"
					className="button button--quiet button--small"
					aria-expanded={commentsOpen}
					aria-controls={`${id}-comments`}
					onClick={() => setCommentsOpen((open) => !open)}
				>
					{commentCountText(post.comment_count)}
					<span className="visually-hidden"> on {name}'s post</span>
				</button>
			</div>
			{problem && (
				<p className="form-error" role="alert">
					{problem}
				</p>
			)}
			<div id={`${id}-comments`} hidden={!commentsOpen}>
				{commentsOpen && <Comments postId={post.id} onAnnounce={onAnnounce} onCrisis={onCrisis} />}
			</div>
		</article>
	);
});

function visibilityWords(visibility: Post["visibility"]): string {
	switch (visibility) {
		case "connections":
			return "connections only";
		case "group":
			return "in a group";
		case "private":
			return "only you";
		default:
			return "";
	}
}
