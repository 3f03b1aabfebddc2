/**
 * @module version: the embedded models' version. Bump it whenever a change alters scores or vectors:
 * the model ids carry it, and the API re-embeds content whose stored vector came from another model id.
 */
export const MODEL_VERSION = "1.0.0";
