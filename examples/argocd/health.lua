-- Argo CD health of a LoomioDeployment (loomio.org/v1alpha1), from the conditions the operator writes.
-- Healthy: Ready=True. Degraded: Degraded=True (invalid spec, missing Secret, failed migration, a
-- workload that cannot become available). Progressing: anything else, including a spec the operator has
-- not observed yet.
local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the operator"
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end
local found = {}
for _, c in ipairs(obj.status.conditions) do
  if c.type ~= nil then
    found[c.type] = c
  end
end
local degraded = found["Degraded"]
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = (degraded.reason or "Degraded") .. ": " .. (degraded.message or "")
  return hs
end
local ready = found["Ready"]
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
  return hs
end
local progressing = found["Progressing"]
if progressing ~= nil and progressing.status == "True" and progressing.message ~= nil then
  hs.message = progressing.message
elseif ready ~= nil and ready.message ~= nil then
  hs.message = ready.message
end
return hs
