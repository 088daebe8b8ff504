// Runs the graphql-http server audit (GraphQL-over-HTTP spec conformance) against a running API.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON line per audit: {id, name, status, reason?, status_code?, body?}; exit code 0 always
// (the caller, tests/test_http_audit.py, decides what fails).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const results = await auditServer({ url });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.status_code = result.response.status;
    line.content_type = result.response.headers.get('content-type');
    try {
      line.body = (await result.response.text()).slice(0, 300);
    } catch {
      line.body = null;
    }
  }
  console.log(JSON.stringify(line));
}
