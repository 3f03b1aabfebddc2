/** Settings: my day (time zone, when it starts, spiritual content), notifications, my data, deleting my account. */
import { type FormEvent, useId, useMemo, useState } from "react";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { DeleteAccount } from "./DeleteAccount";
import {
	dayStartSentence,
	exportFileName,
	hourLabel,
	NOTIFICATION_LABELS,
	type NotificationType,
	notificationTypes,
	supportedTimeZones,
	timeZoneChoices,
	timeZoneLabel,
} from "./display";
import { QuietHours } from "./QuietHours";
import {
	type MyProfile,
	type NotificationPreferences,
	useExport,
	usePreferences,
	useProfile,
	useUpdatePreferences,
	useUpdateProfile,
} from "./queries";
import "./settings.css";
import { LoadError } from "../pages/LoadError";

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

export function SettingsPage() {
	const profile = useProfile();
	const [announcement, setAnnouncement] = useState("");
	return (
		<>
			<PageHeading title="Settings">
				<p className="lede">Make Flourish fit your days. Every change here is yours to undo.</p>
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{profile.isPending && <p aria-busy="true">Opening your settings…</p>}
			{profile.isError && <LoadError error={profile.error} onRetry={() => void profile.refetch()} />}
			{profile.data && <DaySettings profile={profile.data} onSaved={setAnnouncement} />}
			<NotificationSettings onSaved={setAnnouncement} />
			<ExportData onDone={setAnnouncement} />
			<DeleteAccount />
		</>
	);
}

function DaySettings({ profile, onSaved }: { profile: MyProfile; onSaved: (sentence: string) => void }) {
	const id = useId();
	const update = useUpdateProfile();
	const [timezone, setTimezone] = useState(profile.timezone);
	const [dayStart, setDayStart] = useState(profile.day_start_hour);
	const [spiritual, setSpiritual] = useState(profile.spiritual_opt_in);
	const zones = useMemo(() => timeZoneChoices(profile.timezone, supportedTimeZones()), [profile.timezone]);
	const changed =
		timezone !== profile.timezone ||
		dayStart !== profile.day_start_hour ||
		spiritual !== profile.spiritual_opt_in;

	const submit = (event: FormEvent) => {
		event.preventDefault();
		if (!changed || update.isPending) return;
		update.mutate(
			{ timezone, day_start_hour: dayStart, spiritual_opt_in: spiritual },
			{ onSuccess: () => onSaved("Your day settings are saved.") },
		);
	};

	return (
		<form className="card" aria-labelledby={`${id}-title`} onSubmit={submit}>
			<h2 id={`${id}-title`}>Your day</h2>
			<div className="field-row">
				<div className="field">
					<label htmlFor={`${id}-zone`}>Time zone</label>
					<select id={`${id}-zone`} value={timezone} onChange={(event) => setTimezone(event.target.value)}>
						{zones.map((zone) => (
							<option key={zone} value={zone}>
								{timeZoneLabel(zone)}
							</option>
						))}
					</select>
				</div>
				<div className="field field--narrow">
					<label htmlFor={`${id}-start`}>Day starts at</label>
					<select
						id={`${id}-start`}
						value={dayStart}
						aria-describedby={`${id}-start-hint`}
						onChange={(event) => setDayStart(Number(event.target.value))}
					>
						{HOURS.map((hour) => (
							<option key={hour} value={hour}>
								{hourLabel(hour)}
							</option>
						))}
					</select>
				</div>
			</div>
			<p id={`${id}-start-hint`} className="hint">
				{dayStartSentence(dayStart)}
			</p>
			<div className="choice">
				<input
					id={`${id}-spiritual`}
					type="checkbox"
					checked={spiritual}
					aria-describedby={`${id}-spiritual-hint`}
					onChange={(event) => setSpiritual(event.target.checked)}
				/>
				<label htmlFor={`${id}-spiritual`}>Show spiritual and faith content</label>
			</div>
			<p id={`${id}-spiritual-hint`} className="hint">
				Groups, posts and habits marked spiritual are hidden unless you choose to see them.
			</p>
			{update.isError && (
				<p className="banner banner--error" role="alert">
					{errorSentence(update.error)}
				</p>
			)}
			<button
				type="submit"
				className="button button--primary"
				aria-disabled={!changed || update.isPending || undefined}
			>
				{update.isPending ? "Saving…" : "Save my day"}
			</button>
		</form>
	);
}

function NotificationSettings({ onSaved }: { onSaved: (sentence: string) => void }) {
	const id = useId();
	const preferences = usePreferences();
	const update = useUpdatePreferences();

	const toggle = (type: NotificationType, channel: "in_app" | "push", on: boolean) => {
		update.mutate(
			{ types: { [type]: { [channel]: on } } },
			{
				onSuccess: () =>
					onSaved(
						`${NOTIFICATION_LABELS[type]}: ${channel === "in_app" ? "in the app" : "push"} ${on ? "on" : "off"}.`,
					),
			},
		);
	};

	return (
		<section className="card" aria-labelledby={`${id}-title`}>
			<h2 id={`${id}-title`}>Notifications</h2>
			<p className="hint">
				“In the app” puts it in your notifications. “Push” also sends it to your devices that allow it.
				Changes save as you make them.
			</p>
			{preferences.isPending && <p aria-busy="true">Reading your preferences…</p>}
			{(preferences.isError || update.isError) && (
				<p className="banner banner--error" role="alert">
					{errorSentence(preferences.error ?? update.error)}
				</p>
			)}
			{preferences.data && (
				<ul className="preferences">
					{notificationTypes().map((type) => (
						<PreferenceRow
							key={type}
							type={type}
							setting={preferences.data.types[type]}
							busy={update.isPending}
							onToggle={toggle}
						/>
					))}
				</ul>
			)}
			{preferences.data && <QuietHours quiet={preferences.data.quiet_hours} onSaved={onSaved} />}
		</section>
	);
}

function PreferenceRow({
	type,
	setting,
	busy,
	onToggle,
}: {
	type: NotificationType;
	setting: NotificationPreferences["types"][NotificationType];
	busy: boolean;
	onToggle: (type: NotificationType, channel: "in_app" | "push", on: boolean) => void;
}) {
	const id = useId();
	const label = NOTIFICATION_LABELS[type];
	return (
		<li>
			<fieldset className="preference">
				<legend>{label}</legend>
				<div className="choice">
					<input
						id={`${id}-app`}
						type="checkbox"
						checked={setting.in_app}
						aria-disabled={busy || undefined}
						onChange={(event) => !busy && onToggle(type, "in_app", event.target.checked)}
					/>
					<label htmlFor={`${id}-app`}>In the app</label>
				</div>
				<div className="choice">
					<input
						id={`${id}-push`}
						type="checkbox"
						checked={setting.push}
						aria-disabled={busy || undefined}
						onChange={(event) => !busy && onToggle(type, "push", event.target.checked)}
					/>
					<label htmlFor={`${id}-push`}>Push</label>
				</div>
			</fieldset>
		</li>
	);
}

function ExportData({ onDone }: { onDone: (sentence: string) => void }) {
	const id = useId();
	const exported = useExport();

	const download = () => {
		if (exported.isPending) return;
		exported.mutate(undefined, {
			onSuccess: (data) => {
				const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
				const url = URL.createObjectURL(blob);
				const link = document.createElement("a");
				link.href = url;
				link.download = exportFileName(new Date());
				document.body.append(link);
				link.click();
				link.remove();
				setTimeout(() => URL.revokeObjectURL(url), 10_000);
				onDone(
					data.truncated.length > 0
						? "Your data is downloaded. Some long histories were cut to their newest entries; the file says which."
						: "Your data is downloaded.",
				);
			},
		});
	};

	return (
		<section className="card" aria-labelledby={`${id}-title`}>
			<h2 id={`${id}-title`}>Your data</h2>
			<p>
				Download everything Flourish keeps about you as one JSON file: your profile, garden, posts,
				connections, groups and more. Other people appear only by an id. Anonymous support requests are not
				linked to you, so they cannot be included.
			</p>
			{exported.isError && (
				<p className="banner banner--error" role="alert">
					{errorSentence(exported.error)}
				</p>
			)}
			<button
				type="button"
				className="button"
				aria-disabled={exported.isPending || undefined}
				onClick={download}
			>
				{exported.isPending ? "Preparing your file…" : "Download my data"}
			</button>
		</section>
	);
}
