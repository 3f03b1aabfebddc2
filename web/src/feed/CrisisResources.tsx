/**
 * People who can help right now, shown the moment the API returns them with something just written (its text
 * read as a risk of self-harm). Prominent on purpose: it takes focus, so a screen reader reads it at once, and it
 * stays until the person closes it. What they wrote was still shared: being heard matters.
 */
import { useEffect, useId, useRef } from "react";
import { hostOf, telHref } from "./display";
import type { CrisisResource } from "./queries";

export function CrisisResources({
	resources,
	onClose,
}: {
	resources: CrisisResource[];
	onClose: () => void;
}) {
	const id = useId();
	const ref = useRef<HTMLElement>(null);
	useEffect(() => {
		ref.current?.focus();
	}, []);
	return (
		<section ref={ref} className="crisis" aria-labelledby={`${id}-title`} tabIndex={-1} data-testid="crisis">
			<h2 id={`${id}-title`}>You don't have to go through this alone</h2>
			<p>
				What you wrote was shared, and a guardian will see it. If you are thinking about ending your life or
				are in danger right now, please reach out to someone who can help straight away — any time, for free.
			</p>
			<ul className="crisis__list">
				{resources.map((resource) => (
					<li key={`${resource.region}-${resource.name}`} className="crisis__item">
						<strong>{resource.name}</strong> <span className="crisis__region">({resource.region})</span>
						<span className="crisis__ways">
							{resource.phone && <a href={telHref(resource.phone)}>Call {resource.phone}</a>}
							{resource.text && <span>{resource.text}</span>}
							{resource.url && (
								<a href={resource.url} target="_blank" rel="noopener noreferrer">
									{hostOf(resource.url)}
									<span className="visually-hidden"> (opens in a new tab)</span>
								</a>
							)}
						</span>
					</li>
				))}
			</ul>
			<button type="button" className="button" onClick={onClose}>
				Close this
			</button>
		</section>
	);
}
