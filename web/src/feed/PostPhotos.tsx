/**
 * A post's photos, each with its alt text. A public post's photo is public at its URL, so a plain `<img>` loads
 * it (cached by the browser and the edge). Anyone else's view needs the token, which an `<img>` cannot send: the
 * bytes are fetched with it and shown from a `blob:` URL. A post held for review has its photo held too (the API
 * answers 404, its author included), and says so.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { useSession } from "../auth/session";
import type { Post } from "./queries";

type Media = Post["media"][number];

const NO_DESCRIPTION = "A photo without a description";

export function PostPhotos({ post, eager }: { post: Post; eager: boolean }) {
	const photos = post.media.filter((media) => media.content_type.startsWith("image/"));
	if (photos.length === 0) return null;
	if (post.pending_review) {
		return (
			<p className="post__held-media">The photo is held with the post until a guardian has looked at it.</p>
		);
	}
	const open = post.visibility === "public";
	return (
		<div className={`post__photos post__photos--${Math.min(photos.length, 4)}`}>
			{photos.map((media, index) =>
				open ? (
					<img
						key={media.id}
						className="post__photo"
						src={media.url}
						alt={media.alt ?? NO_DESCRIPTION}
						width={media.width ?? undefined}
						height={media.height ?? undefined}
						// The first posts' photos are likely the largest paint: not lazy.
						loading={eager && index === 0 ? "eager" : "lazy"}
						decoding="async"
					/>
				) : (
					<PrivatePhoto key={media.id} media={media} />
				),
			)}
		</div>
	);
}

function PrivatePhoto({ media }: { media: Media }) {
	const { api } = useSession();
	const bytes = useQuery({
		queryKey: ["media", media.id],
		queryFn: async () => {
			const { data, response } = await api.GET("/api/v1/media/{media_id}", {
				params: { path: { media_id: media.id } },
				parseAs: "blob",
			});
			if (!response.ok || !data) throw new ApiError({ status: response.status });
			return data;
		},
		staleTime: Number.POSITIVE_INFINITY,
	});
	const [src, setSrc] = useState<string | null>(null);
	useEffect(() => {
		if (!bytes.data) return;
		const url = URL.createObjectURL(bytes.data);
		setSrc(url);
		return () => URL.revokeObjectURL(url);
	}, [bytes.data]);
	if (bytes.isError) return <p className="post__held-media">This photo can't be shown right now.</p>;
	if (!src) return <div className="post__photo post__photo--loading" aria-hidden="true" />;
	return (
		<img
			className="post__photo"
			src={src}
			alt={media.alt ?? NO_DESCRIPTION}
			width={media.width ?? undefined}
			height={media.height ?? undefined}
		/>
	);
}
