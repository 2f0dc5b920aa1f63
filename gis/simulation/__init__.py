"""Capacity by simulation: steady-state models of the networks, and runs with a new demand.

"具备接入条件" is, for a utility engineer, a capacity question: will the pressure at the tap
hold with the new demand, will the feeder carry the new load. Each utility's model is built
once per workspace from its layer and the ``sources`` layer (or imported: EPANET ``.inp`` for
water, a pandapower network file for power) and run by a maintained simulator:

- water: WNTR (EPANET) — :mod:`gis.simulation.water`;
- gas and heat: pandapipes — :mod:`gis.simulation.pipes`;
- power: pandapower — :mod:`gis.simulation.power`.

A check adds the new demand at the chosen tap and runs the steady state; it returns a
:class:`~gis.simulation.result.CapacityRun` with the measured values before and after. Whether
they are within the limits is the policy's decision (:mod:`planning.capacity`, thresholds
from the profile's ``capacity`` section).
"""
