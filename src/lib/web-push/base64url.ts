/** @module base64url: the unpadded URL-safe base64 of RFC 8291/8292 keys, salts and tokens. */

/** Unpadded base64url of `bytes`. */
export function toBase64Url(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The bytes of a base64url text (padding tolerated, as some clients send it), or `null` when `text` is not
 * base64url at all (standard base64's `+` and `/` included: subscription keys are base64url by definition).
 */
export function fromBase64Url(text: string): Uint8Array | null {
	const unpadded = text.replace(/={0,2}$/, "");
	if (!/^[A-Za-z0-9_-]*$/.test(unpadded) || unpadded.length % 4 === 1) return null;
	const binary = atob(unpadded.replaceAll("-", "+").replaceAll("_", "/"));
	return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
