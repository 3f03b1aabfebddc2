/**
 * `npm run vapid:keys`: prints a new VAPID key pair for Web Push. Put the private key into the Worker's
 * secrets (`npx wrangler secret put VAPID_PRIVATE_KEY`); the API serves the public key to browsers. A new
 * pair invalidates every existing push subscription, so make one per deployment, once.
 */
import { generateVapidKeyPair } from "./lib/vapid-keys.ts";

const pair = await generateVapidKeyPair();
console.log(`VAPID_PRIVATE_KEY=${pair.privateKey}`);
console.log(`# public key (applicationServerKey): ${pair.publicKey}`);
console.log("# npx wrangler secret put VAPID_PRIVATE_KEY   (paste the private key; keep it nowhere else)");
