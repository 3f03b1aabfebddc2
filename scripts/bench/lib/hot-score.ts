/** Reddit "hot", exactly as src/modules/flourish/present.ts computes it, for posts written straight into D1. */
export function hotScore(reactionCount: number, createdAt: string): number {
	const order = Math.sign(reactionCount) * Math.log10(Math.max(Math.abs(reactionCount), 1));
	return order + Math.floor(Date.parse(createdAt) / 1000) / 45000;
}
