// Adds a Leaflet map beside the server-rendered partner list. If Leaflet or
// the tiles do not load (offline, tests), the list stays the whole page.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("partner-map");
  var source = document.getElementById("partners-data");
  if (!box || !source || typeof window.L === "undefined") return;
  var partners = JSON.parse(source.textContent);
  box.hidden = false;
  var map = L.map(box).setView([35.6, 140.41], 11);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
  }).addTo(map);
  var bounds = [];
  partners.forEach(function (p) {
    var popup = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.name;
    popup.appendChild(title);
    var place = document.createElement("div");
    place.textContent = p.municipality + " " + p.address;
    popup.appendChild(place);
    if (p.offers.length) {
      var offers = document.createElement("div");
      offers.textContent = p.offers.join("・");
      popup.appendChild(offers);
    }
    L.marker([p.lat, p.lon], { title: p.name }).addTo(map).bindPopup(popup);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24] });
  else if (bounds.length === 1) map.setView(bounds[0], 14);
});
