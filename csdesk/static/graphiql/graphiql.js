// csdesk's GraphiQL bootstrap: the inline script of Strawberry's GraphiQL page, moved to a file
// of our origin so that the page's Content-Security-Policy needs no 'unsafe-inline', and with
// the session cookie sent explicitly. React, ReactDOM, Cookies, GraphiQL and
// GraphiQLPluginExplorer are globals set by the vendored scripts loaded before this one.
(function () {
  "use strict";

  const EXAMPLE_QUERY = `# Welcome to csdesk's GraphiQL
#
# GraphiQL is an in-browser tool for writing, validating, and
# testing GraphQL queries. Everything it loads is served by csdesk.
#
# Sign in first; the session cookie it sets is sent with every
# following request from this page (or put an
# "Authorization": "Bearer <token>" header in the Headers tab):
#
#     mutation {
#       login(input: { username: "agent", password: "agent" }) {
#         __typename
#         ... on LoginSuccess { viewer { username } }
#       }
#     }
#
# Keyboard shortcuts:
#
#       Run Query:  Ctrl-Enter (or press the play button above)
#
#   Auto Complete:  Ctrl-Space (or just start typing)
#
{
  viewer {
    username
    displayName
  }
}
`;

  // Parse URL parameters for sharing queries
  const parameters = {};

  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(
        entry.slice(eq + 1),
      );
    }
  }

  function updateURL(data) {
    Object.assign(parameters, data);

    const newSearch =
      "?" +
      Object.keys(parameters)
        .filter(function (key) {
          return Boolean(parameters[key]);
        })
        .map(function (key) {
          return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
        })
        .join("&");
    history.replaceState(null, null, newSearch);
  }

  const fetchURL = window.location.href.split("?")[0];

  function httpUrlToWebSocketUrl(url) {
    const parsedURL = new URL(url);
    parsedURL.protocol = parsedURL.protocol === "http:" ? "ws:" : "wss:";
    parsedURL.hash = "";
    return parsedURL.toString();
  }

  const defaultHeaders = {};
  const csrfToken = Cookies.get("csrftoken");

  if (csrfToken) {
    defaultHeaders["x-csrftoken"] = csrfToken;
  }

  // The login mutation sets the HttpOnly csdesk_session cookie; same-origin credentials make
  // the browser store it and send it back (fetch's default too, but said, not assumed).
  function sameOriginFetch(input, init) {
    return window.fetch(input, Object.assign({}, init, { credentials: "same-origin" }));
  }

  const fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    headers: defaultHeaders,
    subscriptionUrl: httpUrlToWebSocketUrl(fetchURL),
    fetch: sameOriginFetch,
  });

  function GraphiQLWithExplorer() {
    const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
    const [variables, setVariables] = React.useState(parameters.variables);
    const [headers, setHeaders] = React.useState(parameters.headers);

    function onEditQuery(newQuery) {
      setQuery(newQuery);
      updateURL({ q: newQuery });
    }

    function onEditVariables(newVariables) {
      setVariables(newVariables);
      updateURL({ variables: newVariables });
    }

    function onEditHeaders(newHeaders) {
      setHeaders(newHeaders);
    }

    const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: query,
      variables: variables,
      headers: headers,
      onEditQuery: onEditQuery,
      onEditVariables: onEditVariables,
      onEditHeaders: onEditHeaders,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQLWithExplorer));
})();
