/**
 * An SMTP client with MIME building (the seed's simplified "mail"
 * library): {@linkcode mail} makes a client, `send` builds the message
 * (text, HTML, inline images, attachments streamed from files) and sends
 * it over implicit TLS, STARTTLS or, when asked, plaintext, with AUTH
 * PLAIN, LOGIN or CRAM-MD5 and PIPELINING. {@linkcode buildMessage} and
 * {@linkcode streamMessage} build a message without sending it.
 *
 * ```ts
 * import { buildMessage } from "@cosocket/mail";
 *
 * const bytes = await buildMessage({
 *   from: "Bob <bob@example.com>",
 *   to: ["Alice <alice@example.org>"],
 *   subject: "Grüße",
 *   txtbody: "This is the text body",
 *   htmlbody: "<h1>This is the html body</h1>",
 * });
 * const text = new TextDecoder().decode(bytes);
 * console.log(text.includes("multipart/alternative"), text.includes("=?UTF-8?B?")); // true true
 * ```
 *
 * @module
 */
export * from "./address.ts";
export * from "./build_message.ts";
export * from "./dkim_sign.ts";
export * from "./smtp_client.ts";
export * from "./smtp_error.ts";
