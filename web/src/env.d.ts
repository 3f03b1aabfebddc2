/** Build-time constants (web/vite.config.ts `define`) and the environment a build reads. */

/** True in development builds only; production builds drop every branch behind it. */
declare const __DEV_SIGN_IN__: boolean;
/** The development issuer's origin (scripts/lib/dev-issuer.ts); empty in production. */
declare const __DEV_ISSUER_URL__: string;

interface ImportMetaEnv {
	/** The Auth0 tenant's domain, e.g. `flourish.eu.auth0.com` (production builds). */
	readonly VITE_AUTH0_DOMAIN?: string;
	/** The Auth0 application (SPA) client id: public, not a secret. */
	readonly VITE_AUTH0_CLIENT_ID?: string;
	/** The API identifier tokens are issued for (AUTH0_AUDIENCE in wrangler.toml). */
	readonly VITE_AUTH0_AUDIENCE?: string;
}

interface ImportMeta {
	readonly env: ImportMetaEnv;
}
