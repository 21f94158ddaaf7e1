// Starts Swagger UI on /api/v1/docs. A file, not an inline script, so the CSP can refuse inline scripts.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.dataset.csrfToken;
  SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The default validator badge is an image from validator.swagger.io: nothing may leave the intranet.
    validatorUrl: null,
    // "Try it out" uses the browser session, which Django guards against cross-site requests.
    requestInterceptor: function (request) {
      if (csrfToken) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    }
  });
})();
