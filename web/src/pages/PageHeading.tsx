/**
 * A page's one `<h1>`, which takes focus when the page opens: after a client-side navigation a screen reader
 * hears where it is, and Tab continues from the top of the new page. Also names the tab.
 */
import { type ReactNode, useEffect, useRef } from "react";

export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
	const ref = useRef<HTMLHeadingElement>(null);
	useEffect(() => {
		document.title = `${title} · Flourish`;
		ref.current?.focus({ preventScroll: true });
	}, [title]);
	return (
		<header className="page-heading">
			<h1 ref={ref} tabIndex={-1}>
				{title}
			</h1>
			{children}
		</header>
	);
}
