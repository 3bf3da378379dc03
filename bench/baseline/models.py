from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=100)
    touched = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
