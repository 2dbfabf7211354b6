"""fieldsvc: the (tiny) application package of the field-service sample.

Only the pieces the migrations import are shipped here.
"""
