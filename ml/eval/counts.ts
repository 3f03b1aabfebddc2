/**
 * Binary classification counts and their precision, recall and F1: what `npm run ml:eval` prints and what
 * `npm run ml:train` chooses thresholds by, so both read a figure the same way.
 */
export class Counts {
	tp = 0;
	fp = 0;
	fn = 0;
	tn = 0;
	add(expected: boolean, predicted: boolean): void {
		if (expected && predicted) this.tp++;
		else if (!expected && predicted) this.fp++;
		else if (expected && !predicted) this.fn++;
		else this.tn++;
	}
	get precision(): number {
		return this.tp + this.fp === 0 ? 1 : this.tp / (this.tp + this.fp);
	}
	get recall(): number {
		return this.tp + this.fn === 0 ? 1 : this.tp / (this.tp + this.fn);
	}
	get f1(): number {
		const { precision, recall } = this;
		return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
	}
	/** One line of the eval's table: name, precision, recall, F1, positives. */
	row(name: string): string {
		const pct = (x: number) => x.toFixed(3).padStart(6);
		return `${name.padEnd(28)} ${pct(this.precision)} ${pct(this.recall)} ${pct(this.f1)}   ${String(this.tp + this.fn).padStart(4)}`;
	}
	toString(): string {
		return `precision ${this.precision.toFixed(3)} recall ${this.recall.toFixed(3)} F1 ${this.f1.toFixed(3)}`;
	}
}
