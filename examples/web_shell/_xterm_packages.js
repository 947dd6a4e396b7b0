// Pulls the browser packages into Deno's npm cache; the Web Shell serves their files from there.
// JavaScript, not TypeScript: xterm's types bring the DOM library into the type check.
import "npm:@xterm/xterm@6.0.0";
import "npm:@xterm/addon-fit@0.11.0";
