/**
 * Share something: a thought, photos (from the device's file picker, each described for people who cannot see
 * it), a poll, or a milestone of one of my habits. Who may see it: everyone, my connections, or only me.
 * Errors from the API read as sentences, in place; the draft stays so nothing is lost.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { errorSentence } from "../api/client";
import {
	type Draft,
	type DraftPhoto,
	type PostWithCrisis,
	type Uploads,
	useCreatePost,
	useMyHabits,
} from "./queries";

type Kind = Draft["type"];
type Visibility = Draft["visibility"];

const KINDS: { value: Kind; label: string }[] = [
	{ value: "text", label: "Thought" },
	{ value: "image", label: "Photo" },
	{ value: "poll", label: "Poll" },
	{ value: "milestone", label: "Milestone" },
];
const BODY_LABELS: Record<Kind, string> = {
	text: "What's on your mind?",
	image: "Caption (optional)",
	poll: "Your question",
	milestone: "A few words about it",
};
const PHOTO_TYPES = "image/jpeg,image/png,image/webp,image/gif";
const MAX_PHOTOS = 4;
const MAX_OPTIONS = 6;
const POLL_DURATIONS = [
	{ hours: 24, label: "1 day" },
	{ hours: 72, label: "3 days" },
	{ hours: 168, label: "1 week" },
];

let photoKeys = 0;

export function Composer({ onPosted }: { onPosted: (post: PostWithCrisis) => void }) {
	const id = useId();
	const create = useCreatePost();
	const bodyRef = useRef<HTMLTextAreaElement>(null);
	const [kind, setKind] = useState<Kind>("text");
	const [body, setBody] = useState("");
	const [visibility, setVisibility] = useState<Visibility>("public");
	const [photos, setPhotos] = useState<DraftPhoto[]>([]);
	const uploads = useRef<Uploads>(new Map());
	const [options, setOptions] = useState<string[]>(["", ""]);
	const [multiple, setMultiple] = useState(false);
	const [pollHours, setPollHours] = useState(72);
	const [habitId, setHabitId] = useState("");
	const habits = useMyHabits(kind === "milestone");
	const [localError, setLocalError] = useState<string | null>(null);
	const shownError = localError ?? (create.error ? errorSentence(create.error) : null);

	const activeHabits = habits.data?.habits ?? [];
	useEffect(() => {
		if (kind === "milestone" && !habitId && activeHabits[0]) setHabitId(activeHabits[0].id);
	}, [kind, habitId, activeHabits]);

	function draft(): Draft | string {
		const text = body.trim();
		switch (kind) {
			case "text":
				return text ? { type: "text", body: text, visibility } : "Please write something to share.";
			case "image": {
				if (photos.length === 0) return "Please choose a photo.";
				const undescribed = photos.findIndex((photo) => !photo.alt.trim());
				if (undescribed >= 0) return `Please describe photo ${undescribed + 1} for people who can't see it.`;
				return { type: "image", body: text, visibility, photos, uploads: uploads.current };
			}
			case "poll": {
				if (!text) return "Please write your question.";
				const filled = options.map((option) => option.trim()).filter(Boolean);
				if (filled.length < 2) return "A poll needs at least two answers.";
				if (new Set(filled.map((option) => option.toLowerCase())).size !== filled.length)
					return "Each answer needs to be different.";
				return {
					type: "poll",
					body: text,
					visibility,
					poll: {
						options: filled,
						multiple_choice: multiple,
						closes_at: new Date(Date.now() + pollHours * 3_600_000).toISOString(),
					},
				};
			}
			case "milestone":
				if (!habitId) return "Please choose a habit.";
				if (!text) return "Please add a few words about your milestone.";
				return { type: "milestone", body: text, visibility, habit_id: habitId };
		}
	}

	async function submit(event: FormEvent) {
		event.preventDefault();
		const made = draft();
		if (typeof made === "string") {
			setLocalError(made);
			return;
		}
		setLocalError(null);
		try {
			const post = await create.mutateAsync(made);
			setBody("");
			setPhotos([]);
			uploads.current = new Map();
			setOptions(["", ""]);
			setMultiple(false);
			onPosted(post);
		} catch {
			// shown from the mutation's state; the draft (and any upload already made) is kept for a retry
		}
	}

	function choosePhotos(files: FileList | null) {
		if (!files) return;
		const room = MAX_PHOTOS - photos.length;
		const chosen = [...files].slice(0, Math.max(0, room)).map((file) => ({
			key: `photo-${++photoKeys}`,
			file,
			alt: "",
		}));
		setPhotos((before) => [...before, ...chosen]);
		if (files.length > room) setLocalError(`A post holds at most ${MAX_PHOTOS} photos.`);
	}

	return (
		<form className="card composer" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
			<h2 id={`${id}-title`}>Share something</h2>
			<fieldset className="composer__kinds">
				<legend className="visually-hidden">Kind of post</legend>
				{KINDS.map((each) => (
					<label key={each.value} className="kind">
						<input
							type="radio"
							name={`${id}-kind`}
							value={each.value}
							checked={kind === each.value}
							onChange={() => {
								setKind(each.value);
								setLocalError(null);
								create.reset();
							}}
						/>
						{each.label}
					</label>
				))}
			</fieldset>
			<div className="field">
				<label htmlFor={`${id}-body`}>{BODY_LABELS[kind]}</label>
				<textarea
					id={`${id}-body`}
					ref={bodyRef}
					value={body}
					rows={2}
					maxLength={5000}
					aria-describedby={shownError ? `${id}-error` : undefined}
					onChange={(event) => setBody(event.target.value)}
				/>
			</div>

			{kind === "image" && (
				<div className="composer__photos">
					<div className="field">
						<label htmlFor={`${id}-files`}>Choose photos (up to {MAX_PHOTOS})</label>
						<input
							id={`${id}-files`}
							type="file"
							accept={PHOTO_TYPES}
							multiple
							disabled={photos.length >= MAX_PHOTOS}
							onChange={(event) => {
								choosePhotos(event.target.files);
								event.target.value = "";
							}}
						/>
					</div>
					{photos.map((photo, index) => (
						<PhotoDraft
							key={photo.key}
							photo={photo}
							index={index}
							onAlt={(alt) =>
								setPhotos((before) =>
									before.map((each) => (each.key === photo.key ? { ...each, alt } : each)),
								)
							}
							onRemove={() => setPhotos((before) => before.filter((each) => each.key !== photo.key))}
						/>
					))}
				</div>
			)}

			{kind === "poll" && (
				<fieldset className="composer__poll">
					<legend>Answers</legend>
					{options.map((option, index) => (
						<div className="option" key={`option-${index.toString()}`}>
							<label htmlFor={`${id}-option-${index}`} className="visually-hidden">
								Answer {index + 1}
							</label>
							<input
								id={`${id}-option-${index}`}
								value={option}
								maxLength={100}
								placeholder={`Answer ${index + 1}`}
								onChange={(event) =>
									setOptions((before) => before.map((each, at) => (at === index ? event.target.value : each)))
								}
							/>
							{options.length > 2 && (
								<button
									type="button"
									className="button button--quiet button--small"
									onClick={() => setOptions((before) => before.filter((_, at) => at !== index))}
								>
									Remove<span className="visually-hidden"> answer {index + 1}</span>
								</button>
							)}
						</div>
					))}
					{options.length < MAX_OPTIONS && (
						<button
							type="button"
							className="button button--quiet button--small"
							onClick={() => setOptions((before) => [...before, ""])}
						>
							Add an answer
						</button>
					)}
					<div className="field-row composer__poll-settings">
						<div className="field">
							<label htmlFor={`${id}-closes`}>Voting closes in</label>
							<select
								id={`${id}-closes`}
								value={pollHours}
								onChange={(event) => setPollHours(Number(event.target.value))}
							>
								{POLL_DURATIONS.map((each) => (
									<option key={each.hours} value={each.hours}>
										{each.label}
									</option>
								))}
							</select>
						</div>
						<label className="choice">
							<input
								type="checkbox"
								checked={multiple}
								onChange={(event) => setMultiple(event.target.checked)}
							/>
							People may choose more than one
						</label>
					</div>
				</fieldset>
			)}

			{kind === "milestone" && (
				<div className="field">
					<label htmlFor={`${id}-habit`}>Which habit</label>
					{habits.isPending ? (
						<p aria-busy="true">Finding your habits…</p>
					) : activeHabits.length === 0 ? (
						<p className="empty">
							A milestone belongs to a habit. <Link to="/garden">Plant one in My Garden</Link> first.
						</p>
					) : (
						<select id={`${id}-habit`} value={habitId} onChange={(event) => setHabitId(event.target.value)}>
							{activeHabits.map((habit) => (
								<option key={habit.id} value={habit.id}>
									{habit.name}
									{habit.stats.current_streak > 0 ? ` (streak of ${habit.stats.current_streak})` : ""}
								</option>
							))}
						</select>
					)}
				</div>
			)}

			<div className="field-row composer__footer">
				<div className="field composer__visibility">
					<label htmlFor={`${id}-visibility`}>Who can see it</label>
					<select
						id={`${id}-visibility`}
						value={visibility}
						onChange={(event) => setVisibility(event.target.value as Visibility)}
					>
						<option value="public">Everyone</option>
						<option value="connections">My connections</option>
						<option value="private">Only me</option>
					</select>
				</div>
				<button
					type="submit"
					className="button button--primary"
					aria-busy={create.isPending}
					disabled={create.isPending}
				>
					{create.isPending ? (kind === "image" ? "Uploading…" : "Posting…") : "Post"}
				</button>
			</div>
			{shownError && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{shownError}
				</p>
			)}
		</form>
	);
}

function PhotoDraft({
	photo,
	index,
	onAlt,
	onRemove,
}: {
	photo: DraftPhoto;
	index: number;
	onAlt: (alt: string) => void;
	onRemove: () => void;
}) {
	const id = useId();
	const [preview, setPreview] = useState<string | null>(null);
	useEffect(() => {
		const url = URL.createObjectURL(photo.file);
		setPreview(url);
		return () => URL.revokeObjectURL(url);
	}, [photo.file]);
	return (
		<div className="photo-draft">
			{preview && <img className="photo-draft__preview" src={preview} alt="" />}
			<div className="photo-draft__about">
				<label htmlFor={`${id}-alt`}>
					Describe photo {index + 1} ({photo.file.name}) for people who can't see it
				</label>
				<textarea
					id={`${id}-alt`}
					value={photo.alt}
					rows={2}
					maxLength={1500}
					required
					onChange={(event) => onAlt(event.target.value)}
				/>
				<button type="button" className="button button--quiet button--small" onClick={onRemove}>
					Remove<span className="visually-hidden"> photo {index + 1}</span>
				</button>
			</div>
		</div>
	);
}
