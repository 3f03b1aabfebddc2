/**
 * Crisis resources, the moment the API returns them — after a post, a comment or a support request: a labelled
 * region at the top of the page whose heading takes focus (a screen reader hears it first), each line's number
 * a `tel:` link, in the order the API gives (the caller's own country first). One component for every page, so
 * the words and the look never drift apart. It stays until the person closes it, where the page allows that.
 */
import { useEffect, useId, useRef } from "react";
import { type CrisisResource, telHref } from "./crisis";
import "./crisis.css";

export function CrisisResources({
	resources,
	intro = "What you wrote sounds very heavy. If you might act on it, please call one of these lines or your local emergency number now. They are free, and someone will listen.",
	onClose,
}: {
	resources: CrisisResource[];
	/** What the person is told first (e.g. that their post was still shared). */
	intro?: string;
	onClose?: () => void;
}) {
	const id = useId();
	const heading = useRef<HTMLHeadingElement>(null);
	useEffect(() => {
		heading.current?.focus();
	}, []);
	return (
		<section className="crisis" aria-labelledby={`${id}-title`} data-testid="crisis">
			<h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
				You don't have to wait: people you can reach right now
			</h2>
			<p>{intro}</p>
			<ul className="crisis__list">
				{resources.map((resource) => {
					const tel = resource.phone ? telHref(resource.phone) : null;
					return (
						<li key={`${resource.region}-${resource.name}`} className="crisis__line">
							<p className="crisis__name">
								{resource.name} <span className="crisis__region">({resource.region})</span>
							</p>
							<div className="crisis__ways">
								{resource.phone && tel && (
									<a className="button button--primary crisis__call" href={tel}>
										Call {resource.phone}
										<span className="visually-hidden">, {resource.name}</span>
									</a>
								)}
								{resource.text && <span className="crisis__text">{resource.text}</span>}
								{resource.url && (
									<a href={resource.url} rel="noopener noreferrer" target="_blank">
										Website<span className="visually-hidden"> of {resource.name} (opens in a new tab)</span>
									</a>
								)}
							</div>
						</li>
					);
				})}
			</ul>
			{onClose && (
				<button type="button" className="button" onClick={onClose}>
					Close this
				</button>
			)}
		</section>
	);
}
