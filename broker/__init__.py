"""The MQTT broker layer: configs, users/ACLs and running mosquitto.

* ``broker.configs``      render mosquitto.conf / bridge / ACL from ``mosquitto/*.j2``
* ``broker.credentials``  cloud and hub broker directories: users, passwords, ACL
* ``broker.process``      ``Mosquitto``: start/stop/kill a real broker, ``free_port``
* ``broker.stack``        running cloud and office brokers for tests, bench and demo
* ``broker.probe``        ``MqttProbe``: blocking MQTT v5 checks with reason codes

Set-up and operations for IT: ``docs/brokers.md``.
"""
