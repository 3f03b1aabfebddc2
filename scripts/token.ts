/**
 * `npm run token -- --sub <sub> [--email x@y] [--ttl 3600]`: prints a development access token.
 *
 * The token is a real RS256 JWT signed by the local development key (scripts/lib/dev-issuer.ts),
 * for the API's audience; the local API trusts it because `.dev.vars` points it at the development
 * issuer's JWKS. Only the token goes to stdout, so `TOKEN=$(npm run -s token -- --sub 'dev|demo-alice')`
 * works.
 */
import { parseArgs } from "node:util";
import { mintToken, resolveDevAudience } from "./lib/dev-issuer.ts";

const DEFAULT_SUB = "dev|demo-user";
const MAX_TTL = 30 * 24 * 3600;

const USAGE = `Usage: npm run -s token -- [--sub <sub>] [--email <email>] [--ttl <seconds>] [--aud <audience>]

Mints a development access token (RS256, signed by the local key in .dev/issuer.json)
and prints only the token on stdout.

  --sub    the Auth0 subject; default "${DEFAULT_SUB}". The user row is created on first use.
           Seeded demo users: dev|demo-alice, dev|demo-bob, dev|demo-guide, dev|demo-guardian.
  --email  adds an "email" claim
  --ttl    lifetime in seconds (default 3600, at most ${MAX_TTL})
  --aud    audience; default AUTH0_AUDIENCE from .dev.vars, else from wrangler.toml [vars]

Quote subs that contain "|":
  TOKEN=$(npm run -s token -- --sub 'dev|demo-alice')
  curl -H "Authorization: Bearer $TOKEN" http://localhost:8787/api/v1/users/me
`;

async function main() {
	const { values } = parseArgs({
		options: {
			sub: { type: "string", default: DEFAULT_SUB },
			email: { type: "string" },
			ttl: { type: "string", default: "3600" },
			aud: { type: "string" },
			help: { type: "boolean", short: "h" },
		},
		strict: true,
	});
	if (values.help) {
		process.stdout.write(USAGE);
		return;
	}
	const sub = values.sub.trim();
	if (sub.length === 0 || sub.length > 200) throw new Error("--sub must be 1 to 200 characters");
	const ttlSeconds = Number(values.ttl);
	if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_TTL) {
		throw new Error(`--ttl must be a whole number of seconds between 1 and ${MAX_TTL}`);
	}
	const audience = values.aud ?? (await resolveDevAudience());
	const token = await mintToken({ sub, email: values.email, ttlSeconds, audience });
	process.stdout.write(`${token}\n`);
}

main().catch((err) => {
	console.error(`token: ${err instanceof Error ? err.message : String(err)}`);
	console.error("Run `npm run token -- --help` for usage.");
	process.exit(1);
});
