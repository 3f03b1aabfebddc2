/**
 * The Flourish feed: share something, then read what others shared — newest, top, or for you.
 *
 * Infinite scroll, without a trap: the posts are an ARIA `feed` (articles with their position, `aria-busy`
 * while a page loads). Scrolling near the end loads the next page (an IntersectionObserver on a sentinel below
 * the list), for at most `AUTO_PAGES` pages in a row; a real "Load more posts" button is always there too, and
 * moves focus to the first new post. Someone moving by keyboard is not given pages behind their back when Tab
 * scrolls the end into view: they reach the button (and whatever follows the list), and load when they choose.
 * The end says so.
 */
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { CrisisResources } from "../safety/CrisisResources";
import { Composer } from "./Composer";
import { FEED_SORTS, feedSort } from "./display";
import { PostCard } from "./PostCard";
import { type CrisisResource, type PostWithCrisis, useFeed } from "./queries";
import "./feed.css";
import { LoadError } from "../pages/LoadError";

/** Pages loaded by scrolling alone before the button is needed again (what follows the list stays reachable). */
const AUTO_PAGES = 5;
/** Posts whose photos load at once (the rest lazily): the first screen. */
const EAGER_POSTS = 2;

export function FeedPage() {
	const [params] = useSearchParams();
	const sort = feedSort(params.get("sort"));
	const feed = useFeed(sort);
	const [announcement, setAnnouncement] = useState("");
	const [crisis, setCrisis] = useState<CrisisResource[] | null>(null);
	const [notice, setNotice] = useState<string | null>(null);
	const sentinel = useRef<HTMLDivElement>(null);
	const autoLoads = useRef(0);
	const focusFrom = useRef<number | null>(null);

	const posts = feed.data?.pages.flatMap((page) => page.data) ?? [];
	// A post written here heads the first page; a later page may hold it too.
	const seen = new Set<string>();
	const unique = posts.filter((post) => !seen.has(post.id) && seen.add(post.id));
	const more = feed.hasNextPage;

	const pageCount = feed.data?.pages.length ?? 0;
	const latest = useRef({ more, fetching: feed.isFetching, fetchNextPage: feed.fetchNextPage });
	latest.current = { more, fetching: feed.isFetching, fetchNextPage: feed.fetchNextPage };
	const byKeyboard = useRef(false);

	useEffect(() => {
		const keyboard = () => {
			byKeyboard.current = true;
		};
		const pointer = () => {
			byKeyboard.current = false;
		};
		const options = { capture: true, passive: true };
		document.addEventListener("keydown", keyboard, options);
		for (const type of ["pointerdown", "wheel", "touchmove"])
			document.addEventListener(type, pointer, options);
		return () => {
			document.removeEventListener("keydown", keyboard, options);
			for (const type of ["pointerdown", "wheel", "touchmove"])
				document.removeEventListener(type, pointer, options);
		};
	}, []);

	// biome-ignore lint/correctness/useExhaustiveDependencies: a new order starts its own count of automatic pages
	useEffect(() => {
		autoLoads.current = 0;
	}, [sort]);

	// Observed afresh after each page: a sentinel still in view once a page has landed asks for the next one.
	// biome-ignore lint/correctness/useExhaustiveDependencies: re-observing per page is the point
	useEffect(() => {
		const target = sentinel.current;
		if (!target || pageCount === 0 || typeof IntersectionObserver === "undefined") return;
		const observer = new IntersectionObserver(
			(entries) => {
				const now = latest.current;
				if (!entries.some((entry) => entry.isIntersecting)) return;
				if (!now.more || now.fetching || byKeyboard.current || autoLoads.current >= AUTO_PAGES) return;
				autoLoads.current += 1;
				void now.fetchNextPage().then((result) => {
					if (!result.isError) announceLoaded(result.data?.pages.at(-1)?.data.length ?? 0);
				});
			},
			{ rootMargin: "0px 0px 600px 0px" },
		);
		observer.observe(target);
		return () => observer.disconnect();
	}, [pageCount, sort]);

	// After "Load more posts", focus moves to the first post it brought.
	useEffect(() => {
		if (focusFrom.current === null || feed.isFetchingNextPage) return;
		const first = unique[focusFrom.current];
		focusFrom.current = null;
		if (first) document.getElementById(`post-${first.id}`)?.focus();
	});

	function announceLoaded(count: number) {
		setAnnouncement(count > 0 ? `${count} more posts loaded.` : "No more posts.");
	}

	function loadMore() {
		if (feed.isFetchingNextPage) return;
		autoLoads.current = 0;
		focusFrom.current = unique.length;
		void feed.fetchNextPage().then((result) => {
			if (result.isError) focusFrom.current = null;
			else announceLoaded(result.data?.pages.at(-1)?.data.length ?? 0);
		});
	}

	function posted(post: PostWithCrisis) {
		if (post.crisis_resources?.length) setCrisis(post.crisis_resources);
		const where = sort === "recent" ? "" : " It is at the top of Recent.";
		const message = post.pending_review
			? `Your post is held for review. A guardian will look at it soon; until then only you can see it.${where}`
			: `Your post is shared.${where}`;
		setNotice(message);
		setAnnouncement(message);
	}

	return (
		<>
			<PageHeading title="Feed">
				<p className="lede">What people are growing, sharing and asking. Be kind; we're all learning.</p>
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{crisis && (
				<CrisisResources
					resources={crisis}
					intro="What you wrote was shared, and a guardian will see it. If you are thinking about ending your life or are in danger right now, please reach out to someone who can help straight away — any time, for free."
					onClose={() => setCrisis(null)}
				/>
			)}
			<Composer onPosted={posted} />
			{notice && (
				<p className="banner" data-testid="post-notice">
					{notice}
					{sort !== "recent" && (
						<>
							{" "}
							<Link to="/feed?sort=recent">Go to Recent</Link>
						</>
					)}
				</p>
			)}

			<section className="feed" aria-labelledby="feed-title">
				<div className="feed__top">
					<h2 id="feed-title">Posts</h2>
					<nav aria-label="Order of posts">
						<ul className="sorts">
							{FEED_SORTS.map((each) => (
								<li key={each.value}>
									<Link
										className="sort"
										to={each.value === "recent" ? "/feed" : `/feed?sort=${each.value}`}
										aria-current={each.value === sort ? "page" : undefined}
									>
										{each.label}
									</Link>
								</li>
							))}
						</ul>
					</nav>
				</div>

				{feed.isPending && <p aria-busy="true">Gathering posts…</p>}
				{feed.isError && !feed.data && <LoadError error={feed.error} onRetry={() => void feed.refetch()} />}
				{feed.data && unique.length === 0 && (
					<p className="empty">Nothing here yet. Share the first thing — something small is welcome.</p>
				)}
				{unique.length > 0 && (
					<div
						className="feed__posts"
						role="feed"
						aria-labelledby="feed-title"
						aria-busy={feed.isFetchingNextPage}
					>
						{unique.map((post, index) => (
							<PostCard
								key={post.id}
								post={post}
								position={index + 1}
								setSize={more ? -1 : unique.length}
								eager={index < EAGER_POSTS}
								onAnnounce={setAnnouncement}
								onCrisis={setCrisis}
							/>
						))}
					</div>
				)}
				<div ref={sentinel} className="feed__sentinel" aria-hidden="true" />
				{feed.isFetchNextPageError && (
					<p className="form-error" role="alert">
						{errorSentence(feed.error)}
					</p>
				)}
				{more && (
					<p className="feed__more">
						<button type="button" className="button" aria-busy={feed.isFetchingNextPage} onClick={loadMore}>
							{feed.isFetchingNextPage ? "Loading more posts…" : "Load more posts"}
						</button>
					</p>
				)}
				{feed.data && !more && unique.length > 0 && <p className="feed__end">You're all caught up.</p>}
			</section>
		</>
	);
}
